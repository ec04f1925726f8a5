/**
 * Usage lines: commands, flags and argument names as typed, the same in every language. `[INC-n]`
 * on an incident-scoped command: name the incident to use it outside its channel.
 */
export const USAGE = {
  'usage.declare': '/incident declare <title> [--sev P1..P4] [--service name] [--summary text] [--private] [--started 14:02|20m]',
  'usage.status': '/incident status [INC-n] <investigating|identified|monitoring> [message]',
  'usage.sev': '/incident sev [INC-n] <P1..P4> [reason]',
  'usage.role': '/incident role [INC-n] <commander|comms|scribe> <@user>',
  'usage.note': '/incident note [INC-n] <text>',
  // issue 12: capture during the incident
  'usage.why': '/incident why [INC-n] [1-5] <answer>',
  'usage.cause': '/incident cause [INC-n] [--underlying] <text>',
  'usage.impact': '/incident impact [INC-n] <key=value ...>, e.g. users=1200 orders=350 revenue=4.2M duration=47m',
  'usage.lesson': '/incident lesson [INC-n] <good|bad|lucky> <text>',
  'usage.summary': '/incident summary [INC-n] <text>',
  'usage.timeline': '/incident timeline [INC-n]',
  'usage.action': '/incident action [INC-n] <text> [--owner @user] [--due 1w|1m|q|2026-12-15]   or   /incident action done <A1> [INC-n]',
  'usage.actions': '/incident actions [mine|open|overdue] [--service name]',
  'usage.resolve': '/incident resolve [INC-n] [summary]',
  'usage.close': '/incident close [INC-n]',
  'usage.postmortem': '/incident postmortem [INC-n]   or   /incident postmortem [INC-n] done [@reviewer ...]',
  'usage.cancel': '/incident cancel [INC-n] [reason]',
  'usage.update': '/incident update [INC-n] <what changed, what is next>',
  'usage.reopen': '/incident reopen [INC-n] [reason] [--page]',
  'usage.notice': '/incident notice [INC-n] <internal|external> [--post [text]]',
  'usage.drill': '/incident drill [db-connection|thread-pool|api-latency] [--dry]',
  'usage.checklist': '/incident checklist [INC-n]   or   /incident checklist [INC-n] tick <step> <reason>',
  'usage.list': '/incident list [--all]',
  'usage.help': '/incident help',
  'usage.ack': '/incident ack [INC-n]',
  'usage.page': '/incident page [INC-n] <@user ...|rotation> [message]',
  'usage.escalate': '/incident escalate [INC-n]',
  'usage.oncall': '/incident oncall [rotation] [--at <time>]',
  'usage.web': '/incident web',
  'usage.cover': '/incident cover <@user> <duration: 30m|2h|1d> [--rotation id]',
  'usage.policy': '/incident policy [policy|severity] [--service name] [--at <time>]',
  // issue 12: stats
  'usage.stats': '/incident stats [--since 30d|90d|2026-10-01] [--service name] [--sev P1]',
} as const;
