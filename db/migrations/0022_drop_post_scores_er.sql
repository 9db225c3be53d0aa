-- post_scores_er (0010) ordered every score by ER alone; no query reads it (the best posts page walks
-- post_scores_best / post_scores_day_er by day, 0019). Each changed score moved an entry in it at a random place
-- of a 5.5 M-entry index, so a daily collect's refreshed counters dirtied thousands of pages for nothing.
DROP INDEX IF EXISTS post_scores_er;
