# The bot, compiled: `docker build -t incident-command .`, or `docker compose up` (docker-compose.yml).
# Build stage: every dependency (TypeScript included), `npm run build` compiles src/ and commands/ to dist/.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
RUN npm run build

# Runtime stage: production dependencies and dist/ only (no tsx, no TypeScript), as the `node` user.
FROM node:20-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/.data
WORKDIR /app
# The /incident stats chart (src/infra/stats-chart.ts) draws its words with the system's fonts, and
# slim images have none: DejaVu for Latin text and figures, NanumGothic for Korean (locale: ko).
# Only NanumGothic of fonts-nanum is kept (about 9 MB instead of 33 MB).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core fonts-nanum \
 && find /usr/share/fonts/truetype/nanum -type f ! -name 'NanumGothic.ttf' ! -name 'NanumGothicBold.ttf' -delete \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error && npm cache clean --force
COPY --from=build /app/dist ./dist
# The data directory (local ids, the local alert token, postmortem drafts by default) belongs to the bot's user.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
# /livez answers while the process does; slim images have no curl, so node asks.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/livez').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# What `npm run start:prod` runs, without npm in between: node is PID 1 and gets SIGTERM itself
# (the bot finishes what is in flight and exits 0; see docs/operations.md).
CMD ["node", "dist/src/main.js"]
