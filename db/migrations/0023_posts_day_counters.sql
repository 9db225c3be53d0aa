-- A daily compute reads the last week's posts of every account by day (src/posts/figures.ts for the figures,
-- src/publications/best-posts.ts for the scores): with the counters in posts_day these are range scans of the
-- index alone, not a seek into the table for each post (whose rows hold the texts). Its other readers use the
-- (day, account_id, deleted_at) prefix as before (0021). About 10 bytes a post.
DROP INDEX posts_day;
CREATE INDEX posts_day ON posts(day, account_id, deleted_at, reactions, comments, shares, views);
