-- Commands by position, for exporting a log range by range (`EventLog::export`).
-- Positions only grow, so inserts land at the end of this index.
CREATE INDEX commands_last_position ON commands (last_position);
