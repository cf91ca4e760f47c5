-- HubSpot sends some submissions without submittedAt (issue 17): they are stored, with no time, rather than
-- dropped or failing the run. Their key is the conversionId, or one derived from the submission when it has none.
alter table form_submissions alter column submitted_at drop not null;
