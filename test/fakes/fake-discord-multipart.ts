/** One `files[n]` part of a multipart request, as Discord receives an attachment. */
export interface UploadedPart {
  key: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

type Json = Record<string, unknown>;

/** A multipart body as Discord reads it: `payload_json` is the JSON body, `files[n]` the attachments. */
export async function multipart(raw: Buffer, contentType: string): Promise<{ body: Json; files: UploadedPart[] }> {
  const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
  const payload = form.get('payload_json');
  const files: UploadedPart[] = [];
  for (const [key, value] of form.entries()) {
    if (typeof value === 'string') continue;
    files.push({ key, filename: value.name, contentType: value.type, data: Buffer.from(await value.arrayBuffer()) });
  }
  return { body: typeof payload === 'string' ? (JSON.parse(payload) as Json) : {}, files };
}
