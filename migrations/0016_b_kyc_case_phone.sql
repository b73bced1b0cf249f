-- The phone a payment intent's create sends (phoneCountryCode, phoneNumber) is kept on the user's KYC
-- case, where the operator's review sees it.
ALTER TABLE kyc_cases ADD COLUMN phone_country_code text, ADD COLUMN phone_number text;
