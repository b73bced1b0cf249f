// IBANs as the operator or a statement types them (spaces, lower case): the electronic form when
// ibantools accepts country, length and check digits, else null.
import { electronicFormatIBAN, isValidIBAN } from "ibantools";

export function validIban(text: string): string | null {
  const iban = electronicFormatIBAN(text) ?? "";
  return isValidIBAN(iban) ? iban : null;
}
