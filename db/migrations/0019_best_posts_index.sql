-- The best posts page (src/publications/best-posts.ts) walks each day of a period by ER from the highest down.
-- The highest ERs are mostly those of channels with a handful of followers, which the page leaves out (an
-- audience under 50 on the post's day, DEFAULT_MIN_AUDIENCE there): with a filter (rubric, platform, level)
-- every such row cost a table read and joins before it was dropped (a year filtered: ~1.9 s on a tenth of the
-- scale model). This index holds only the posts the page can show, with their account, so the walk and the
-- account filters read the index alone.
CREATE INDEX post_scores_best ON post_scores(day, er, account_id) WHERE audience_at >= 50;
