-- Standards of information work take effect on a date (DESIGN §11, issue 15): a version set on the admin
-- targets page or in the YAML says from which local date (days since 1970-01-01) it applies; NULL = from the
-- start. A period is judged by the version in force on its last day.
ALTER TABLE standard_versions ADD COLUMN valid_from INTEGER;
