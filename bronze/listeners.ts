import { defineTable } from '../lib/table-spec.ts';

export default defineTable({
  layer: 'bronze',
  name: 'listeners',
  grainSentence: 'one row per listener',
  grain: ['listener_id'],
  description: 'Listener registry: pseudonymous id, time zone used for local-time analytics, status, consent and study. The display label is never published to Trino.',
  columns: [
    { name: 'listener_id', type: 'VARCHAR', description: 'Opaque pseudonymous id chosen by the researcher or generated' },
    { name: 'display_label', type: 'VARCHAR', description: 'Optional label for the researcher; never published' },
    { name: 'timezone', type: 'VARCHAR', description: 'IANA time zone of the listener' },
    { name: 'created_at', type: 'TIMESTAMP', description: 'When the listener was registered (UTC)' },
    { name: 'consent_recorded_at', type: 'TIMESTAMP', description: 'When consent was recorded (UTC), if recorded' },
    { name: 'status', type: 'VARCHAR', description: 'active, paused or withdrawn' },
    { name: 'timezone_source', type: 'VARCHAR', description: 'given (--timezone, listeners.csv, listeners add/set) or default (LAKEHOUSE_TIMEZONE was used); null for listeners registered before this was recorded' },
    { name: 'study_id', type: 'VARCHAR', description: "The study the listener takes part in (a short slug; 'default' unless given). Versions written before studies lack the column: read it as 'default'" },
  ],
  inputs: [],
});
