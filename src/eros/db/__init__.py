"""The database adapter: schema, engine, migrations, sample data, import."""
