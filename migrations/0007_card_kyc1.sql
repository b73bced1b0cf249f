-- KYC_1 for card customers runs on the shared KYC capability: the customer remembers its case, so a
-- decision on that case (vendor or support) raises the customer's level.
ALTER TABLE card_customers ADD COLUMN kyc1_case_id text REFERENCES kyc_cases(id);
CREATE UNIQUE INDEX card_customers_kyc1_case_uq ON card_customers (kyc1_case_id) WHERE kyc1_case_id IS NOT NULL;
