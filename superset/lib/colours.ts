// One fixed colour per series name on every dashboard (Superset's dashboard `label_colors`), from
// the Okabe-Ito palette, which stays distinguishable with the common colour-vision deficiencies.
// A name means the same thing in every chart (the synthetic share is always vermillion), and two
// series shown together never share a colour (checked in colours.test.ts).

const OKABE_ITO = {
  orange: '#E69F00', sky: '#56B4E9', green: '#009E73', yellow: '#F0E442',
  blue: '#0072B2', vermillion: '#D55E00', purple: '#CC79A7', black: '#000000', grey: '#999999',
} as const;
const c = OKABE_ITO;

export const SERIES_COLOURS: Record<string, string> = {
  // provenance: synthetic is the warning colour everywhere
  'synthetic share': c.vermillion, synthetic: c.vermillion, spotify_api: c.green, kaggle: c.blue, none: c.grey,
  // volumes and behaviour
  plays: c.blue, streams: c.sky, sessions: c.blue, 'median session plays': c.orange, 'median session minutes': c.green, 'minutes played': c.green, 'skip rate': c.purple, shifts: c.blue,
  'new track share': c.green, 'repeat share': c.orange, 'artist entropy (bits)': c.blue,
  // audio features
  valence: c.orange, 'predicted valence': c.orange, energy: c.blue, danceability: c.green, acousticness: c.purple, instrumentalness: c.sky,
  // models
  predicted: c.blue, actual: c.black, baseline: c.grey, importance: c.blue,
  valence_forest: c.orange, mood_forest: c.purple, energy_time_linear: c.blue, silhouette: c.blue, stability: c.grey,
  // categories
  Stable: c.grey, Minor_Shift: c.sky, Major_Shift: c.blue,
  Happy_Energetic: c.orange, Happy_Calm: c.yellow, Sad_Energetic: c.purple, Sad_Calm: c.sky, Neutral: c.grey,
};
