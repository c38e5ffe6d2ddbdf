// Audio features with the correlations of the real Kaggle catalog (energy~loudness +0.76,
// energy~acousticness -0.74, danceability~valence +0.48, instrumentalness~valence -0.33, ...),
// drawn from a few latent factors and a per-genre profile, so models have something to learn.
import { clamp, makeRng, normal, sigmoid, weightedIndex, type Rng } from './rng.ts';

export const GENRES = ('acoustic afrobeat alt-rock alternative ambient anime black-metal bluegrass blues brazil '
  + 'breakbeat british cantopop chicago-house children chill classical club comedy country dance dancehall '
  + 'death-metal deep-house detroit-techno disco disney drum-and-bass dub dubstep edm electro electronic emo '
  + 'folk forro french funk garage german gospel goth grindcore groove grunge guitar happy hard-rock hardcore '
  + 'hardstyle heavy-metal hip-hop honky-tonk house idm indian indie indie-pop industrial iranian j-dance '
  + 'j-idol j-pop j-rock jazz k-pop kids latin latino malay mandopop metal metalcore minimal-techno mpb '
  + 'new-age opera pagode party piano pop pop-film power-pop progressive-house psych-rock punk punk-rock r-n-b '
  + 'reggae reggaeton rock rock-n-roll rockabilly romance sad salsa samba sertanejo show-tunes '
  + 'singer-songwriter ska sleep songwriter soul spanish study swedish synth-pop tango techno trance trip-hop '
  + 'turkish world-music').split(' ');

export interface GenreProfile {
  energy: number; dance: number; valence: number; instrumental: number; speech: number; acoustic: number;
}

const RULES: [RegExp, Partial<GenreProfile>][] = [
  [/metal|grindcore|hardcore|hardstyle|punk|industrial|death|black/, { energy: 1.4, valence: -0.12, dance: -0.08 }],
  [/classical|ambient|piano|sleep|new-age|study|opera|acoustic|guitar/, { energy: -1.6, instrumental: 0.55, acoustic: 1.5, dance: -0.12 }],
  [/techno|trance|house|edm|idm|dubstep|drum-and-bass|breakbeat|electro|minimal|club|detroit/, { energy: 0.7, instrumental: 0.4, dance: 0.1 }],
  [/reggaeton|latin|salsa|samba|pagode|forro|dancehall|afrobeat|kids|children|happy|party|disco|funk/, { valence: 0.2, dance: 0.15 }],
  [/sad|emo|goth|romance|singer-songwriter|songwriter/, { valence: -0.15, energy: -0.5, acoustic: 0.6 }],
  [/hip-hop|comedy|r-n-b/, { speech: 1.2, dance: 0.12 }],
  [/jazz|blues|bluegrass|tango|soul|gospel|world-music/, { acoustic: 0.8, energy: -0.4 }],
];

export function genreProfile(genre: string): GenreProfile {
  const rng = makeRng(`genre:${genre}`);
  const p: GenreProfile = {
    energy: normal(rng, 0, 0.35), dance: 0.56 + normal(rng, 0, 0.04), valence: normal(rng, 0, 0.05),
    instrumental: 0.08 + 0.06 * rng(), speech: 0, acoustic: normal(rng, 0, 0.2),
  };
  for (const [re, delta] of RULES) {
    if (!re.test(genre)) continue;
    for (const k of Object.keys(delta) as (keyof GenreProfile)[]) p[k] += delta[k] ?? 0;
  }
  return p;
}

export interface AudioFeatures {
  popularity: number; duration_ms: number; explicit: boolean; danceability: number; energy: number;
  key: number; loudness: number; mode: number; speechiness: number; acousticness: number;
  instrumentalness: number; liveness: number; valence: number; tempo: number; time_signature: number;
}

function instrumentalnessOf(rng: Rng, g: GenreProfile): number {
  const r = rng();
  if (r < 0.34) return 0;
  if (r < 0.34 + g.instrumental * 1.3) return clamp(0.5 + 0.5 * Math.pow(rng(), 0.5) - 0.05, 0.5, 0.99);
  return Math.exp(normal(rng, Math.log(2e-4), 2.4)) * (rng() < 0.1 ? 300 : 1);
}

/** Draws one track's features; `rng` is the track's own stream. */
export function drawFeatures(rng: Rng, g: GenreProfile): AudioFeatures {
  const ez = g.energy + normal(rng, 0, 1);
  const energy = clamp(sigmoid(0.85 + 1.25 * ez), 0.001, 1);
  const instr = clamp(instrumentalnessOf(rng, g), 0, 0.99);
  const high = instr > 0.5 ? 1 : 0;
  const acoustic = clamp(sigmoid(-1.1 - 1.9 * ez + g.acoustic + normal(rng, 0, 1.7)), 1e-6, 0.996);
  const dance = clamp(normal(rng, g.dance, 0.15) + 0.03 * ez - 0.08 * high, 0.05, 0.98);
  const valence = clamp(sigmoid(-0.1 + 3.2 * (dance - 0.56) + 0.3 * ez - 0.8 * high + 4 * g.valence + normal(rng, 0, 0.95)), 0.01, 0.99);
  const loudness = clamp(-8.4 + 3.6 * ez - 4.5 * high * rng() + normal(rng, 0, 2.6), -38, 1.5);
  const speech = clamp(Math.exp(normal(rng, Math.log(0.045) + 0.8 * g.speech, 0.6)) + 0.01 * rng(), 0.022, 0.96);
  const explicit = rng() < 0.05 + 0.25 * g.speech;
  return {
    popularity: rng() < 0.14 ? 0 : Math.round(clamp(normal(rng, 40, 17), 1, 100)),
    duration_ms: Math.round(clamp(Math.exp(normal(rng, Math.log(213000), 0.35)), 30000, 1_200_000)),
    explicit, danceability: dance, energy, key: Math.floor(rng() * 12), loudness,
    mode: rng() < 0.635 ? 1 : 0, speechiness: speech, acousticness: acoustic, instrumentalness: instr,
    liveness: clamp(Math.exp(normal(rng, Math.log(0.135), 0.62)), 0.014, 0.99), valence,
    tempo: rng() < 0.001 ? 0 : clamp(normal(rng, 120 + 7 * ez, 28), 45, 232),
    time_signature: [4, 3, 5, 1, 0][weightedIndex(rng, [0.9, 0.076, 0.015, 0.008, 0.001])],
  };
}
