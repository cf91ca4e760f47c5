-- The standard CRM types of issue 14, with the shape of every object table (contacts'). A portal may lack any of
-- them (leads need Sales Hub): the table then stays empty and the run says so. Custom objects' tables are created by
-- the run that discovers them (extractors/object-types.ts), the same way, and listed in object_types with these.
create table tickets (like contacts including all);
create table products (like contacts including all);
create table line_items (like contacts including all);
create table quotes (like contacts including all);
create table leads (like contacts including all);
