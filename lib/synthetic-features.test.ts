import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GENERATOR_VERSION, RANGES, syntheticFeatures } from './synthetic-features.ts';

// Golden vectors: if these change, the generator changed. Bump GENERATOR_VERSION and say so.
const GOLDEN: Record<string, unknown> = {
    "5SuOikwiRyPMVoIQDJUgSV": {
      "danceability": 0.6198,
      "energy": 0.6551,
      "valence": 0.7025,
      "acousticness": 0.6367,
      "instrumentalness": 0.3313,
      "speechiness": 0.2546,
      "liveness": 0.1434,
      "loudness": -4.0445,
      "tempo": 112.4861,
      "time_signature": 5,
      "key": 1,
      "mode": 1
    },
    "4uLU6hMCjMI75M1A2tKUQC": {
      "danceability": 0.7922,
      "energy": 0.3411,
      "valence": 0.6758,
      "acousticness": 0.6952,
      "instrumentalness": 0.3721,
      "speechiness": 0.3893,
      "liveness": 0.1829,
      "loudness": -19.5405,
      "tempo": 106.1639,
      "time_signature": 4,
      "key": 1,
      "mode": 1
    },
    "radiohead — karma police": {
      "danceability": 0.7089,
      "energy": 0.2575,
      "valence": 0.4472,
      "acousticness": 0.4709,
      "instrumentalness": 0.6548,
      "speechiness": 0.2704,
      "liveness": 0.1724,
      "loudness": -16.1734,
      "tempo": 159.4359,
      "time_signature": 5,
      "key": 6,
      "mode": 0
    }
  };

test('synthetic features match the committed golden vectors', () => {
  assert.equal(GENERATOR_VERSION, 'synthetic-beta22-v1');
  for (const [key, expected] of Object.entries(GOLDEN)) assert.deepEqual(syntheticFeatures(key), expected, key);
});

test('values are deterministic, in range, rounded to 4 decimals, and differ between keys', () => {
  const a = syntheticFeatures('5SuOikwiRyPMVoIQDJUgSV');
  assert.deepEqual(a, syntheticFeatures('5SuOikwiRyPMVoIQDJUgSV'));
  assert.notDeepEqual(a, syntheticFeatures('5SuOikwiRyPMVoIQDJUgSW'));
  for (let i = 0; i < 2000; i++) {
    const f = syntheticFeatures(`track-${i}`);
    for (const [name, lo, hi] of RANGES) {
      const v = f[name];
      assert.ok(v >= lo && v <= hi, `${name}=${v} outside [${lo}, ${hi}]`);
      assert.equal(Math.round(v * 1e4) / 1e4, v);
    }
    assert.ok([3, 4, 5].includes(f.time_signature));
    assert.ok(f.key >= 0 && f.key <= 11 && Number.isInteger(f.key));
    assert.ok(f.mode === 0 || f.mode === 1);
  }
});

test('draws follow Beta(2,2): mean near the middle of the range, variance 1/20 of range²', () => {
  const n = 4000;
  const xs = Array.from({ length: n }, (_, i) => syntheticFeatures(`k${i}`).energy);
  const u = xs.map((x) => (x - 0.1) / 0.8);
  const mean = u.reduce((s, x) => s + x, 0) / n;
  const variance = u.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
  assert.ok(Math.abs(variance - 0.05) < 0.006, `variance ${variance}`);
});
