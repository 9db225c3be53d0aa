-- Instagram accounts read through the Instagram API with Instagram Login (graph.instagram.com) instead of a
-- Facebook Page: `api = 'instagram_login'`, their own token in `token_env`, and optionally a token file the
-- service refreshes (mode 0600). Only the names are stored: never a token.
ALTER TABLE accounts ADD COLUMN api TEXT CHECK (api IS NULL OR api = 'instagram_login');
ALTER TABLE accounts ADD COLUMN token_file TEXT;
