/**
 * Usage lines: commands, flags and argument names as typed, the same in every language. `[INC-n]`
 * on an incident-scoped command: name the incident to use it outside its channel.
 */
export const USAGE = {
  'usage.declare': '/incident declare <title> [--sev P1..P4] [--service name] [--summary text] [--private]',
  'usage.status': '/incident status [INC-n] <investigating|identified|monitoring> [message]',
  'usage.sev': '/incident sev [INC-n] <P1..P4> [reason]',
  'usage.role': '/incident role [INC-n] <commander|comms|scribe> <@user>',
  'usage.note': '/incident note [INC-n] <text>',
  'usage.timeline': '/incident timeline [INC-n]',
  'usage.action': '/incident action [INC-n] <text> [--owner @user] [--due 1w|1m|q]   or   /incident action [INC-n] done <A1>',
  'usage.resolve': '/incident resolve [INC-n] [summary]',
  'usage.close': '/incident close [INC-n]',
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
  'usage.cover': '/incident cover <@user> <duration: 30m|2h|1d> [--rotation id]',
  'usage.policy': '/incident policy [policy|severity] [--service name] [--at <time>]',
} as const;
