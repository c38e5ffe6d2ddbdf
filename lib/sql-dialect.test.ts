// The DuckDB → Trino translation step, on its own: what it rewrites and what it refuses. Whether the
// translated SQL computes the same values on Trino is sql-dialect.stack.test.ts and the engine parity test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqlTranslationError, toTrinoSql, trinoType } from './sql-dialect.ts';

const t = (sql: string) => toTrinoSql(sql, { variables: { min_play_ms: 30000 }, tables: { 'gold.x': 'lakehouse."_staging"."r__gold__x"' } });

test('casts: postfix :: on any primary, CASE … END, aggregates with FILTER; DuckDB type names', () => {
  assert.equal(t('select x::double, (a + b)::integer, f(a)::bigint, null::varchar, []::varchar[]'),
    'select cast(x as double), cast((a + b) as integer), cast(f(a) as bigint), cast(null as varchar), cast(array[] as array(varchar))');
  assert.equal(t('select case when a then 1 else 0 end::integer'), 'select cast(case when a then 1 else 0 end as integer)');
  assert.equal(t("select avg(v) filter (where s = 'x')::double"), "select cast(avg(v) filter (where s = 'x') as double)");
  assert.equal(t('select t.col::date, cast(y as timestamp)'), 'select cast(t.col as date), cast(y as timestamp(6))');
  assert.equal(t('select ts::timestamptz'), "select with_timezone(ts, 'UTC')");
  assert.equal(trinoType('DECIMAL(18, 9)'), 'decimal(18, 9)');
  assert.equal(trinoType('VARCHAR[][]'), 'array(array(varchar))');
  assert.throws(() => trinoType('HUGEINT'), SqlTranslationError);
});

test('functions: renamed, rebuilt with their arguments, or given DuckDB\'s meaning', () => {
  assert.equal(t('select arg_min(a, k), arg_max(a, k), list(distinct g order by g)'), 'select min_by(a, k), max_by(a, k), array_agg(distinct g order by g)');
  assert.match(t('select epoch_ms(ts)'), /date_diff\('millisecond', TIMESTAMP '1970-01-01 00:00:00\.000000', ts\)/);
  assert.equal(t("select md5(a || '|' || b)"), "select lower(to_hex(md5(to_utf8(a || '|' || b))))");
  assert.equal(t("select strftime(ts, '%Y-%m-%dT%H:%M:%S.%f')"), "select date_format(ts, '%Y-%m-%dT%H:%i:%s.%f')");
  assert.equal(t('select isodow(d), dayname(d)'), "select day_of_week(d), format_datetime(d, 'EEEE')");
  assert.equal(t("select regexp_replace(s, '[^a]+', ' ', 'g')"), "select regexp_replace(s, '[^a]+', ' ')");
  assert.equal(t("select getvariable('min_play_ms')"), 'select 30000');
  assert.equal(t('select greatest(a, b)'), 'select array_max(filter(array[a, b], v -> v is not null))');
  assert.equal(t('select timezone(l.tz, f.t::timestamptz)'), "select cast(at_timezone(with_timezone(f.t, 'UTC'), l.tz) as timestamp(6))");
  assert.equal(t('select len(g), list_position(g, x)'), 'select cardinality(g), nullif(array_position(g, x), 0)');
  assert.equal(t("select string_agg(distinct s, ',' order by s)"), "select array_join(array_agg(distinct s order by s), ',')");
  assert.match(t('select quantile_cont(x, 0.25)'), /array_sort\(array_agg\(x\) filter \(where x is not null\)\)/);
  // A list of quantiles: an array of each (null without values, as DuckDB's list), indexed from 1 in both.
  const quartiles = t('select quantile_cont(x, [0.25, 0.5, 0.75])[2]');
  assert.match(quartiles, /^select \(case when count\(x\) = 0 then null else transform\(array\[array_sort\(array_agg\(x\) filter \(where x is not null\)\)\], sorted__ -> array\[.*\(0\.5e0 \* \(cardinality\(sorted__\) - 1\)\).*\]\)\[1\] end\)\[2\]$/);
  assert.equal(quartiles.match(/array_sort\(/g)?.length, 1, 'the values are sorted once for the three quantiles (lo and hi of each read the one sorted array)');
  assert.equal(quartiles.match(/element_at\(sorted__/g)?.length, 6, 'lo and hi of each of the three quantiles');
  assert.equal(t('select interval 5 second'), "select interval '5' second");
});

test('Trino-specific workarounds: count(*) FILTER as CASE, decimal literals beside / as doubles', () => {
  assert.equal(t('select count(*) filter (where b)::bigint, count(b)'), 'select cast(count(case when b then 1 end) as bigint), count(b)');
  assert.equal(t('select sum(ms) / 60000.0, 1.0 / n, 0.5 * x'), 'select sum(ms) / cast(60000.0 as double), cast(1.0 as double) / n, 0.5 * x');
});

test('table references: staged tables are read from their staging relation, others stay', () => {
  assert.equal(t('select * from gold.x g join silver.y s on g.k = s.k'), 'select * from lakehouse."_staging"."r__gold__x" g join silver.y s on g.k = s.k');
  assert.equal(t('select p.x from p'), 'select p.x from p', 'a column named like a table is not a table');
});

test('an ordered left fold: list_reduce over list(… order by …) with a lambda and an initial value becomes reduce', () => {
  assert.equal(t('select list_reduce(list(p.s0 order by p.pos), lambda acc, x: acc + x, 0e0) / count(*)::double from p'),
    'select reduce(array_agg(p.s0 order by p.pos), 0e0, (acc, x) -> acc + x, s -> s) / cast(count(*) as double) from p');
  assert.equal(t('select list_reduce(list((a - m.m0) * (a - m.m0) order by pos desc, id), lambda s, v: greatest(s, v::double), 1e0)'),
    'select reduce(array_agg((a - m.m0) * (a - m.m0) order by pos desc, id), 1e0, (s, v) -> array_max(filter(array[s, cast(v as double)], v -> v is not null)), s -> s)');
});

test('list_sum is a left fold from 0 and list_transform a transform, lambdas that capture a column included', () => {
  assert.equal(t('select list_sum(l0) / n, list_sum(list_transform(l0, lambda x: (x - m0) * (x - m0))) from means'),
    'select reduce(l0, 0e0, (s, v) -> s + v, s -> s) / n, reduce(transform(l0, x -> (x - m0) * (x - m0)), 0e0, (s, v) -> s + v, s -> s) from means');
  assert.equal(t('select list_transform(list(a order by k), lambda v: v::double / 2) from p'),
    'select transform(array_agg(a order by k), v -> cast(v as double) / 2) from p');
});

test('what has no faithful translation is refused with the construct named', () => {
  for (const [sql, pattern] of [
    ['select * from a semi join b on a.k = b.k', /SEMI JOIN/],
    ['select * from a anti join b on a.k = b.k', /ANTI JOIN/],
    ['select k, count(*) from a group by all', /GROUP BY ALL/],
    ['select * from a qualify row_number() over () = 1', /QUALIFY/],
    ['select * exclude (k) from a', /EXCLUDE/],
    ['select a // b', /`\/\/`/],
    ["select regexp_replace(s, 'a', 'b')", /first match only/],
    ["select getvariable('other')", /no value given/],
    ['select list_reduce(l, (a, b) -> a + b)', /list_reduce/],
    ['select list_reduce(list(x), lambda a, b: a + b, 0e0)', /list_reduce\(\) over anything but list\(… order by …\)/],
    ['select list_reduce(list(x order by k)[2:], lambda a, b: a + b, 0e0)', /over anything but/],
    ['select list_reduce(list(x order by k), lambda a, b: a + b)', /without its initial value/],
    ['select list_reduce(list(x order by k), lambda a: a, 0e0)', /two-parameter/],
    ['select list_reduce(list(x order by k), (a, b) -> a + b, 0e0)', /two-parameter/],
    ['select list_transform(l, lambda a, b: a + b)', /one-parameter/],
    ['select list_transform(l, x -> x + 1)', /one-parameter/],
    ['select list_sum(l, 2)', /list_sum\(\) with 2 argument/],
  ] as const) assert.throws(() => t(sql), (e: unknown) => e instanceof SqlTranslationError && pattern.test(e.message), sql);
});
