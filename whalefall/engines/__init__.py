"""One adapter per database engine. Pure: DB-API connections and dataclasses in and out, no Flask, no ORM."""
