// Filling the hosted KYC page in a browser as an applicant does: step by step (your details, document,
// selfie), pressing Next between steps. Used by the KYC page test and by the flows that pass through it.
import type { Page } from "playwright-core";

export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
export const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 2)]);
export const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");

export async function fillDetailsStep(page: Page, lastName = "Garcia"): Promise<void> {
  await page.fill("#firstName", "Ana");
  await page.fill("#lastName", lastName);
  await page.fill("#birthDate", "1990-04-01");
  await page.selectOption("#nationality", "PT");
  await page.click("#step-data [data-next]");
  await page.waitForSelector("#step-document:not([hidden])");
}

/** A passport needs no back; any other document gets `back.pdf`. */
export async function fillDocumentStep(page: Page, documentType = "id_card"): Promise<void> {
  await page.selectOption("#documentType", documentType);
  await page.fill("#documentNumber", "Y7654321");
  await page.selectOption("#country", "ES");
  await page.setInputFiles("#documentFront", { name: "front.png", mimeType: "image/png", buffer: PNG });
  if (documentType !== "passport") await page.setInputFiles("#documentBack", { name: "back.pdf", mimeType: "application/pdf", buffer: PDF });
  await page.click("#step-document [data-next]");
  await page.waitForSelector("#step-selfie:not([hidden])");
}

export async function fillSelfieStep(page: Page, selfie: Buffer = JPEG): Promise<void> {
  await page.setInputFiles("#selfie", { name: "selfie.jpg", mimeType: "image/jpeg", buffer: selfie });
  await page.check("#consent");
}

/** All three steps and submit; the page then shows the case's status. */
export async function passKycPage(page: Page, opts: { lastName?: string; documentType?: string } = {}): Promise<void> {
  await fillDetailsStep(page, opts.lastName);
  await fillDocumentStep(page, opts.documentType);
  await fillSelfieStep(page);
  await page.click("#submit");
  await page.waitForSelector("#kyc-status");
}
