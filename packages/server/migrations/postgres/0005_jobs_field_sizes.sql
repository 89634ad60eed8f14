-- The length of each job's input and output JSON, kept beside them. A list leaves a long
-- input or output out of its items and says how long it was; measuring a stored json value
-- means reading and decompressing it (about 5 ms for a megabyte), so the lengths are
-- written with the values instead. SQLite reads a value's length from its row header and
-- needs no such columns.
ALTER TABLE jobs ADD COLUMN input_bytes integer;
ALTER TABLE jobs ADD COLUMN output_bytes integer;
UPDATE jobs SET input_bytes = octet_length(input::text), output_bytes = octet_length(output::text);
