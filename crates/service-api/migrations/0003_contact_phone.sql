-- The mobile number a resident may give for the SMS sent when their ticket is called.
ALTER TABLE tickets ADD COLUMN contact_phone TEXT;
