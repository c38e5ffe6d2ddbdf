// A small lake with one table in each layer, written through the real table writer, for the tests of
// the read path (query guard, export, local-time output, notebook database). Listener p-kolkata lives
// at UTC+05:30, p-stjohns at UTC−02:30 in summer (Newfoundland), so offsets with minutes and both
// signs are covered.
import type { Config } from '../lib/config.ts';
import { silentLogger } from '../lib/logger.ts';
import { withWriter } from '../lib/session.ts';

export const LISTENER_ZONES = { 'p-kolkata': 'Asia/Kolkata', 'p-stjohns': 'America/St_Johns' } as const;

const col = (name: string, type: string, description: string) => ({ name, type, description });

/** Writes bronze.listeners, silver.plays (`plays` rows), gold.daily and ops.runs; one publish. */
export async function writeSmallLake(config: Config, plays = 5000): Promise<void> {
  await withWriter(config, silentLogger, 'test', async (s) => {
    const tx = s.begin();
    await tx.write({
      layer: 'bronze', name: 'listeners', description: 'Listener registry (test)', grain: ['listener_id'],
      columns: [col('listener_id', 'VARCHAR', 'Pseudonymous listener id'), col('timezone', 'VARCHAR', 'IANA time zone')],
    }, { sql: `select * from (values ${Object.entries(LISTENER_ZONES).map(([id, tz]) => `('${id}', '${tz}')`).join(', ')}) t(listener_id, timezone)` });
    await tx.write({
      layer: 'silver', name: 'plays', description: 'One row per play (test)', grain: ['play_id'],
      columns: [
        col('play_id', 'BIGINT', 'Play number'),
        col('listener_id', 'VARCHAR', 'Pseudonymous listener id'),
        col('played_at', 'TIMESTAMP', 'End of playback, UTC'),
        col('played_at_local', 'TIMESTAMP', "played_at in the listener's time zone (wall-clock, no zone)"),
        col('timezone', 'VARCHAR', 'IANA time zone of the listener'),
        col('date_local', 'DATE', 'Local calendar date'),
        col('big_count', 'BIGINT', 'A count beyond 2^53 on the first play'),
      ],
    }, {
      sql: `with p as (
          select range as play_id, case when range % 2 = 0 then 'p-kolkata' else 'p-stjohns' end as listener_id,
                 timestamp '2022-05-22 13:01:24' + to_minutes(range) as played_at
          from range(${plays}))
        select play_id, listener_id, played_at,
               timezone(tz, played_at::timestamptz) as played_at_local, tz as timezone,
               timezone(tz, played_at::timestamptz)::date as date_local,
               case when play_id = 0 then 9007199254740993 else play_id end::bigint as big_count
        from p join (values ${Object.entries(LISTENER_ZONES).map(([id, tz]) => `('${id}', '${tz}')`).join(', ')}) z(lid, tz) on z.lid = p.listener_id
        order by play_id`,
    });
    await tx.write({
      layer: 'gold', name: 'daily', description: 'Plays per listener and local day (test)', grain: ['listener_id', 'date_local'],
      columns: [col('listener_id', 'VARCHAR', 'Pseudonymous listener id'), col('date_local', 'DATE', 'Local calendar date'), col('plays', 'BIGINT', 'Plays that day')],
    }, { sql: 'select listener_id, date_local, count(*) as plays from silver.plays group by all order by all' });
    await tx.write({
      layer: 'ops', name: 'runs', description: 'Runs (test)', grain: ['run_id'],
      columns: [col('run_id', 'VARCHAR', 'Run id'), col('started_at', 'TIMESTAMP', 'Start, UTC')],
    }, { sql: "select 'run-1' as run_id, timestamp '2022-05-22 00:00:00' as started_at" });
    await tx.commit();
  });
}
