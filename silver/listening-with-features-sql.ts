export const silverSql = 'select 1';
