-- Rubric counts (src/publications/rubric-figures.ts) updated by the day, not by the 32-day chunk: a daily collect
-- adds a day's posts, and recounting the whole chunk's posts (~160,000 at the scale of DESIGN §10) took
-- seconds. Every change that can move a rubric count also records the day it touches here; a chunk in
-- rubric_dirty with days here is recounted for those days only, one without days (a writer that marks only
-- chunks) is recounted whole as before.
CREATE TABLE rubric_dirty_day (day INTEGER PRIMARY KEY);

CREATE TRIGGER rubric_day_post_insert AFTER INSERT ON posts
BEGIN
  INSERT INTO rubric_dirty_day (day) VALUES (NEW.day) ON CONFLICT (day) DO NOTHING;
END;
-- text: the post is classified again (rubric_pending), which may change its matched rubrics
CREATE TRIGGER rubric_day_post_update AFTER UPDATE OF account_id, day, deleted_at, text ON posts
WHEN OLD.account_id IS NOT NEW.account_id OR OLD.day IS NOT NEW.day OR (OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL)
  OR OLD.text IS NOT NEW.text
BEGIN
  INSERT INTO rubric_dirty_day (day) VALUES (OLD.day), (NEW.day) ON CONFLICT (day) DO NOTHING;
END;
CREATE TRIGGER rubric_day_post_delete AFTER DELETE ON posts
BEGIN
  INSERT INTO rubric_dirty_day (day) VALUES (OLD.day) ON CONFLICT (day) DO NOTHING;
END;
CREATE TRIGGER rubric_day_account AFTER UPDATE OF org_id, platform, closed_day ON accounts
WHEN OLD.org_id IS NOT NEW.org_id OR OLD.platform IS NOT NEW.platform OR OLD.closed_day IS NOT NEW.closed_day
BEGIN
  INSERT INTO rubric_dirty_day (day) SELECT DISTINCT day FROM posts WHERE account_id = NEW.id ON CONFLICT (day) DO NOTHING;
END;
-- Editors' decisions (origin 1 added, 2 removed) are rare: a trigger each. Matched rows (origin 0) are written
-- by classification only, for posts whose days the triggers above already recorded (new or edited posts), or
-- for every post after the rubrics changed (then every count is rebuilt).
CREATE TRIGGER rubric_day_decision_insert AFTER INSERT ON post_rubrics WHEN NEW.origin <> 0
BEGIN
  INSERT INTO rubric_dirty_day (day) SELECT day FROM posts WHERE id = NEW.post_id ON CONFLICT (day) DO NOTHING;
END;
CREATE TRIGGER rubric_day_decision_update AFTER UPDATE OF origin ON post_rubrics WHEN OLD.origin <> 0 OR NEW.origin <> 0
BEGIN
  INSERT INTO rubric_dirty_day (day) SELECT day FROM posts WHERE id = NEW.post_id ON CONFLICT (day) DO NOTHING;
END;
CREATE TRIGGER rubric_day_decision_delete AFTER DELETE ON post_rubrics WHEN OLD.origin <> 0
BEGIN
  INSERT INTO rubric_dirty_day (day) SELECT day FROM posts WHERE id = OLD.post_id ON CONFLICT (day) DO NOTHING;
END;
