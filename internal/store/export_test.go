package store

// TableSQL exposes the table's queries to the EXPLAIN test.
var TableSQL = tableSQL
