// Made-up but plausible artist, album, track, podcast and episode names. Some carry commas, quotes
// and accents on purpose, so CSV quoting and name normalisation are exercised.
import { pick, type Rng } from './rng.ts';

const ONSETS = ['b', 'br', 'c', 'ch', 'd', 'f', 'g', 'gr', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 'st', 't', 'v', 'z', 'th', 'y', 'ñ', 'sh'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ia', 'ou', 'é', 'ä', 'ö', 'ã', 'ei', 'ø'];
const CODAS = ['', '', '', 'n', 'r', 's', 'l', 'x', 'm', 'nd', 'rt'];
const WORDS = [
  'Midnight', 'Echo', 'River', 'Golden', 'Neon', 'Quiet', 'Paper', 'Satellite', 'Velvet', 'Winter',
  'Summer', 'Ghost', 'Highway', 'Ocean', 'Fire', 'Glass', 'Electric', 'Silver', 'Wild', 'Lonely',
  'Dancing', 'Broken', 'Sweet', 'Northern', 'City', 'Garden', 'Heart', 'Shadow', 'Light', 'Dream',
  'Coração', 'Señorita', 'Café', 'Noche', 'Liebe', 'Été', 'Sol', 'Mañana', 'Fleur', 'Sakura',
];
const NOUNS = ['Lights', 'Hearts', 'Roads', 'Waves', 'Lines', 'Stars', 'Rooms', 'Days', 'Nights', 'Bones', 'Sparks', 'Tides'];
const SUFFIXES = [' - Remastered 2011', ' - Live', ' - Acoustic', ' (Radio Edit)', ' - Sped Up', ' - Remix'];

function capitalise(s: string): string {
  return s.charAt(0).toLocaleUpperCase() + s.slice(1);
}

function word(rng: Rng, syllables: number): string {
  let w = '';
  for (let i = 0; i < syllables; i++) w += pick(rng, ONSETS) + pick(rng, VOWELS) + (i === syllables - 1 ? pick(rng, CODAS) : '');
  return capitalise(w);
}

/** An artist name: a person, a band, or (rarely) one with a comma or quotes in it. */
export function artistName(rng: Rng): string {
  const r = rng();
  if (r < 0.45) return `${word(rng, 2)} ${word(rng, 2 + Math.floor(rng() * 2))}`;
  if (r < 0.75) return `The ${pick(rng, WORDS)} ${pick(rng, NOUNS)}`;
  if (r < 0.9) return word(rng, 2 + Math.floor(rng() * 2));
  if (r < 0.96) return `${word(rng, 2)}, ${word(rng, 2)} & ${word(rng, 1)}`;
  return `"${pick(rng, WORDS)}" ${word(rng, 2)}`;
}

/** A track title, sometimes with a version suffix, a comma or a featured artist. */
export function trackTitle(rng: Rng): string {
  const r = rng();
  let title: string;
  if (r < 0.4) title = `${pick(rng, WORDS)} ${pick(rng, NOUNS)}`;
  else if (r < 0.6) title = pick(rng, WORDS);
  else if (r < 0.75) title = `${pick(rng, WORDS)}, ${pick(rng, WORDS)}`;
  else if (r < 0.88) title = `${word(rng, 2)} ${pick(rng, NOUNS)}`;
  else title = `${pick(rng, WORDS)} (feat. ${word(rng, 2)})`;
  if (rng() < 0.12) title += pick(rng, SUFFIXES);
  return title;
}

export function albumName(rng: Rng, title: string): string {
  const r = rng();
  if (r < 0.35) return title.replace(/ - .*$/, '');
  if (r < 0.7) return `${pick(rng, WORDS)} ${pick(rng, NOUNS)}`;
  if (r < 0.85) return `${word(rng, 3)} (Deluxe Edition)`;
  return `Vol. ${1 + Math.floor(rng() * 4)}: ${pick(rng, WORDS)}`;
}

export function podcastName(rng: Rng): string {
  return `The ${pick(rng, WORDS)} ${pick(rng, ['Show', 'Podcast', 'Hour', 'Talks', 'Journal'])}`;
}

export function episodeName(rng: Rng, n: number): string {
  return `#${n} - ${word(rng, 2)} ${word(rng, 2)} on ${pick(rng, WORDS)} ${pick(rng, NOUNS)}`;
}
