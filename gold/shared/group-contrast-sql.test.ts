// groupContrastSql compares several values in one pass: each value must get exactly what comparing
// it alone gives, also where the other value is missing (plays, days, groups or listeners with
// valence but no energy, or the reverse), and the group's row must say nothing about a value it has
// no play of. The hand-computed intervals are in the tables' fixtures (gold/diagnostic/*.fixture.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDuckDB, queryRows, scalar } from '../../lib/duckdb.ts';
import { groupContrastSql, VALENCE_AND_ENERGY } from './group-contrast-sql.ts';

// 4,000 plays of four listeners over 60 days in five groups. Group g0 is happier (valence +0.25) and
// calmer (energy -0.25) than the rest, so intervals exclude 0 both ways. Group g4 never has a valence
// listener l3 never an energy, l0 none in its first ten days; otherwise one value in seven is missing, one play in ten has no
// features and one in eight is shorter than a stream (both left out of every statistic).
const PLAYS = `
create table plays as
with p as (
    select i, 'l' || (i % 4) as listener_id, date '2024-01-01' + (hash(i, 'day') % 60)::integer as date_local,
        'g' || (hash(i, 'group') % 5) as grp,
        (hash(i, 'valence') % 1000) / 1000.0 as v, (hash(i, 'energy') % 1000) / 1000.0 as e
    from range(4000) t(i)
)
select listener_id, date_local, grp,
    case when hash(i, 'source') % 10 = 0 then 'none' else 'kaggle' end as feature_source,
    case when hash(i, 'short') % 8 = 0 then 5000 else 200000 end as ms_played,
    case when grp = 'g4' or hash(i, 'no valence') % 7 = 0 then null else v * 0.5 + (case when grp = 'g0' then 0.25 else 0 end) end as valence,
    case when listener_id = 'l3' or (listener_id = 'l0' and date_local < date '2024-01-11') or hash(i, 'no energy') % 7 = 0 then null else e * 0.5 + (case when grp = 'g0' then 0 else 0.25 end) end as energy
from p`;

const KEYS = ['listener_id', 'grp'];
const COLUMNS = (prefix: string) => ['days_in_group', 'days_in_rest', 'diff_ci_low', 'diff_ci_high', 'verdict'].map((c) => `${prefix}${c}`);

test('valence and energy compared in one pass give what each compared alone gives, nothing for a value a group lacks', async () => {
  const { instance, connection: conn } = await openDuckDB();
  try {
    await conn.run(PLAYS);
    const [valence, energy] = VALENCE_AND_ENERGY;
    const both = groupContrastSql('plays', 'grp');
    // Each value alone, side by side on the groups either has.
    const alone = `select ${KEYS.join(', ')}, ${[...COLUMNS(valence.prefix).map((c) => `v.${c}`), ...COLUMNS(energy.prefix).map((c) => `e.${c}`)].join(', ')}
        from ${groupContrastSql('plays', 'grp', [valence])} v
        full join ${groupContrastSql('plays', 'grp', [energy])} e using (${KEYS.join(', ')})`;
    const columns = [...KEYS, ...COLUMNS(valence.prefix), ...COLUMNS(energy.prefix)].join(', ');
    const onlyInBoth = await scalar<bigint>(conn, `select count(*) from (select ${columns} from ${both} except all select ${columns} from (${alone}))`);
    const onlyAlone = await scalar<bigint>(conn, `select count(*) from (select ${columns} from (${alone}) except all select ${columns} from ${both})`);
    assert.equal(Number(onlyInBoth), 0, 'rows of the one-pass comparison that the separate ones do not give');
    assert.equal(Number(onlyAlone), 0, 'rows of the separate comparisons that the one pass does not give');

    // The data exercise what the comparison must keep apart.
    const rows = await queryRows<Record<string, string | number | null>>(conn, `select * from ${both} order by listener_id, grp`);
    assert.equal(rows.length, 19, 'four listeners x five groups, but l3 in g4, which has neither value');
    assert.ok(!rows.some((r) => r.listener_id === 'l3' && r.grp === 'g4'), 'no row without a value');
    const g4 = rows.filter((r) => r.grp === 'g4');
    assert.ok(g4.every((r) => r.verdict === null && r.days_in_group === null && r.diff_ci_low === null), 'g4 has no valence: its valence columns are null');
    assert.ok(g4.some((r) => r.energy_verdict !== null), 'g4 still has an energy comparison');
    const l3 = rows.filter((r) => r.listener_id === 'l3');
    assert.ok(l3.every((r) => r.energy_verdict === null && r.energy_days_in_group === null), 'l3 has no energy: its energy columns are null');
    assert.ok(l3.some((r) => r.verdict !== null), 'l3 still has valence comparisons');
    const g0 = rows.filter((r) => r.grp === 'g0' && r.listener_id !== 'l3');
    assert.ok(g0.every((r) => r.verdict === 'better' && r.energy_verdict === 'worse'), `g0 is happier and calmer: ${JSON.stringify(g0)}`);
    assert.ok(rows.some((r) => r.verdict === 'worse'), 'some group has a lower valence than the rest');
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
});
