// The declared columns and the description sentence of a group comparison (group-contrast-sql.ts),
// written once for every table that compares groups of plays.
import { MIN_CONTRAST_DAYS } from './group-contrast-sql.ts';

export function contrastDescription(rest: string): string {
  return `Each row is compared with ${rest}: diff_ci_low and diff_ci_high bound the 95 % interval of the difference of average ` +
    `valence (this row minus ${rest}; energy_* the same for energy), clustered by local day (cluster-robust standard error: the ` +
    `plays of one day count as one piece of evidence); verdict better = higher than ${rest}, worse = lower, inconclusive = the ` +
    `interval contains 0 or fewer than ${MIN_CONTRAST_DAYS} days have plays with features on either side (then no interval).`;
}

export function contrastColumns(rest: string) {
  const interval = (feature: string, prefix: string) => [
    { name: `${prefix}diff_ci_low`, type: 'DOUBLE', description: `Lower end of the 95 % interval of average ${feature} here minus in ${rest}, clustered by local day, 4 decimals; null with fewer than ${MIN_CONTRAST_DAYS} days on either side` },
    { name: `${prefix}diff_ci_high`, type: 'DOUBLE', description: `Upper end of the same interval (${feature}, here minus ${rest})` },
    { name: `${prefix}verdict`, type: 'VARCHAR', description: `better (${feature} higher here than in ${rest}: the interval lies above 0), worse (below 0) or inconclusive (contains 0, or too few days); null without plays with features` },
  ];
  return [
    { name: 'days_with_plays', type: 'BIGINT', description: 'Local days with at least one play with features in this row: the units of evidence of the interval' },
    ...interval('valence', ''),
    ...interval('energy', 'energy_'),
  ];
}
