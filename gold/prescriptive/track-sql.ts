// SQL pieces the prescriptive tables share: how plays are grouped into tracks and which feature
// source a track's row names. Expressions over the columns of silver.listening_with_features.

/** Plays known only by name are grouped by normalised artist and title (as in top_tracks_by_mood). */
export const TRACK_KEY =
  "coalesce(track_id, 'name:' || lower(coalesce(artist_name, '')) || '|' || lower(coalesce(track_name, '')))";

/**
 * Aggregate: the feature source of a track's plays; when its plays differ (a track matched by id on
 * one play and by name on another), the best one by the silver precedence spotify_api > kaggle >
 * synthetic. synthetic_share still shows the mix.
 */
export const BEST_FEATURE_SOURCE = `case
      when bool_or(feature_source = 'spotify_api') then 'spotify_api'
      when bool_or(feature_source = 'kaggle') then 'kaggle'
      when bool_or(feature_source = 'synthetic') then 'synthetic'
      else 'none'
    end`;

/** Deterministic tie-break after the ranking value: play count, then track id, then names. */
export const TRACK_TIE_BREAK = 'play_count desc, track_id asc nulls last, track_name asc nulls last, artist_name asc nulls last, track_key';
