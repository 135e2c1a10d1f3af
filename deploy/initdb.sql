-- Run once by the postgres image on an empty volume: Prefect's database beside Passage's.
CREATE DATABASE prefect OWNER passage;
