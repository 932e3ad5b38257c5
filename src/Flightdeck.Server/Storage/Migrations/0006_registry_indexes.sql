-- Registry searches (Registry/RegistrySearch) read a page in their ORDER BY; these indexes let them walk that order and
-- stop after the page instead of sorting every version. Names sort byte-wise: {{bytewise}} is COLLATE "C" on
-- PostgreSQL (as in SearchSqlWriter.Bytewise) and nothing on SQLite, whose default collation is already binary.

-- Default order of model-versions/search (name ASC, version DESC); also one model's versions, newest first.
CREATE INDEX model_versions_by_name_version ON model_versions (name{{bytewise}}, version DESC);
-- order_by last_updated_timestamp / creation_timestamp DESC, with the search's tie-breakers.
CREATE INDEX model_versions_by_updated ON model_versions (last_updated_time DESC, name, version);
CREATE INDEX model_versions_by_created ON model_versions (creation_time DESC, name, version);

-- Default order of registered-models/search (name ASC). On SQLite it repeats the primary key's index: kept for one
-- schema on both engines, at the cost of one more small index on a table written rarely.
CREATE INDEX registered_models_by_name ON registered_models (name{{bytewise}});
CREATE INDEX registered_models_by_updated ON registered_models (last_updated_time DESC, name);
CREATE INDEX registered_models_by_created ON registered_models (creation_time DESC, name);

-- Tag filters ("tags.team = 'risk'") find the tagged models or versions without scanning every tag.
CREATE INDEX registered_model_tags_by_key_value ON registered_model_tags (key, value, name);
CREATE INDEX model_version_tags_by_key_value ON model_version_tags (key, value, name, version);
