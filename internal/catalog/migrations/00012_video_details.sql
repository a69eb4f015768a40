-- +goose Up
-- What an uploader edits besides the title: a description, tags (a JSON
-- list of lower-case words, searched like the title) and the sites that may
-- embed the video (a JSON list of host names; empty means any site). The
-- embed list becomes the embed page's CSP frame-ancestors.
ALTER TABLE videos ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE videos ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE videos ADD COLUMN embed_domains TEXT NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE videos DROP COLUMN embed_domains;
ALTER TABLE videos DROP COLUMN tags;
ALTER TABLE videos DROP COLUMN description;
