// What the hosted KYC page accepts: the personal data fields and the uploaded documents. Pure checks,
// shared by every dialect that sends users to the page.
import countries from "i18n-iso-countries";

export const DOCUMENT_TYPES = ["passport", "id_card", "driving_licence", "residence_permit"] as const;
type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** The three uploads of the page: document front, document back, selfie. */
export const KYC_FILE_KINDS = ["documentFront", "documentBack", "selfie"] as const;
export type KycFileKind = (typeof KYC_FILE_KINDS)[number];

export const KYC_MAX_FILE_BYTES = 5 * 1024 * 1024;

/** A passport is one photo page; cards and permits have a back that carries data too. */
const ONE_SIDED: ReadonlySet<string> = new Set<DocumentType>(["passport"]);

/** The uploads a submission needs for its document type: the back only for documents that have one. */
export function requiredUploads(documentType: string): KycFileKind[] {
  return ONE_SIDED.has(documentType) ? ["documentFront", "selfie"] : ["documentFront", "documentBack", "selfie"];
}

export interface KycFormData {
  firstName: string;
  lastName: string;
  birthDate: string;
  documentType: DocumentType;
  documentNumber: string;
  country: string;
  nationality: string;
}

type KycFormResult = { ok: true; data: KycFormData } | { ok: false; errors: Partial<Record<keyof KycFormData, string>> };

const NAME = /^[\p{L}][\p{L}\p{M} .'-]{0,99}$/u;

function validBirthDate(text: string, today: Date): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(`${text}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text) return false;
  const adult = new Date(Date.UTC(today.getUTCFullYear() - 18, today.getUTCMonth(), today.getUTCDate()));
  return d.getTime() <= adult.getTime() && d.getUTCFullYear() >= 1900;
}

/** Checks the form fields; `today` decides the adult age (18). */
export function checkKycForm(input: Record<string, string | undefined>, today: Date): KycFormResult {
  const v = (k: string) => (input[k] ?? "").trim();
  const errors: Partial<Record<keyof KycFormData, string>> = {};
  if (!NAME.test(v("firstName"))) errors.firstName = "Enter your first name as on the document.";
  if (!NAME.test(v("lastName"))) errors.lastName = "Enter your last name as on the document.";
  if (!validBirthDate(v("birthDate"), today)) errors.birthDate = "Enter a valid birth date (YYYY-MM-DD); you must be 18 or older.";
  if (!(DOCUMENT_TYPES as readonly string[]).includes(v("documentType"))) errors.documentType = "Choose a document type.";
  if (!/^[A-Za-z0-9-]{3,40}$/.test(v("documentNumber"))) errors.documentNumber = "Enter the document number (letters, digits, dashes).";
  if (!countries.isValid(v("country").toUpperCase())) errors.country = "Choose the issuing country.";
  if (!countries.isValid(v("nationality").toUpperCase())) errors.nationality = "Choose your nationality.";
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    data: {
      firstName: v("firstName"),
      lastName: v("lastName"),
      birthDate: v("birthDate"),
      documentType: v("documentType") as DocumentType,
      documentNumber: v("documentNumber").toUpperCase(),
      country: v("country").toUpperCase(),
      nationality: v("nationality").toUpperCase(),
    },
  };
}

/** The content type of an upload from its first bytes (never from the client's claim), or null. */
export function sniffDocumentType(bytes: Uint8Array): "application/pdf" | "image/png" | "image/jpeg" | null {
  const starts = (sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return "application/pdf"; // %PDF-
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (starts([0xff, 0xd8, 0xff])) return "image/jpeg";
  return null;
}

/** What the page shows for a case status. */
export type KycPageState = "form" | "pending" | "approved" | "rejected" | "expired";

export function pageStateFor(caseStatus: string): KycPageState {
  switch (caseStatus) {
    case "open":
      return "form";
    case "submitted":
    case "pending_vendor":
    case "review":
      return "pending";
    case "approved":
      return "approved";
    case "rejected":
      return "rejected";
    default:
      return "expired";
  }
}
