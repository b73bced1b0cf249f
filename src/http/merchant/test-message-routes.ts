// /merchant/v1/test-messages: test mode's message inbox (issue 19). The SMS codes and e-mail links sent
// to the test twin's card customers, so a test integration in a live installation completes a phone or
// e-mail confirmation by itself. Test keys only: a live key is 403 test_mode_only (live customers' texts
// are never recorded, so there is nothing for it to read).
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { MAX_TEST_MESSAGE_PAGE, TEST_MESSAGES_KEPT, testMessagesPage } from "../../app/merchants/test-messages.js";
import { AppError } from "../../core/shared/errors.js";
import { pageLimit } from "../admin/page-limit.js";
import { principalOf } from "../plugins/principal.js";

const Channel = Type.Union([Type.Literal("sms"), Type.Literal("email")]);

const TestMessage = Type.Object({
  messageId: Type.String({ description: "the message's sequence number; also the cursor" }),
  channel: Channel,
  to: Type.String({ description: "the customer's phone (E.164) or e-mail address (lower case)" }),
  subject: Type.Union([Type.String(), Type.Null()], { description: "the e-mail's subject; null for an SMS" }),
  text: Type.String({ description: "the text as sent: the code (always 1234 in test mode) or the e-mail with its confirmation link" }),
  createdAt: Type.String(),
});

export async function merchantTestMessageRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/test-messages",
    {
      schema: {
        tags: ["merchant: test mode"],
        summary: `Test mode's inbox: the SMS and e-mails sent to the test twin's card customers, newest first (the newest ${TEST_MESSAGES_KEPT} are kept; cursor pagination, limit ≤ ${MAX_TEST_MESSAGE_PAGE}). Test keys only: a live key is refused (403 test_mode_only)`,
        security: [{ apiKey: [] }],
        querystring: Type.Object(
          {
            channel: Type.Optional(Channel),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 20, description: "nextCursor of the previous page" })),
            limit: pageLimit(MAX_TEST_MESSAGE_PAGE),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(TestMessage), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (request) => {
      const p = principalOf(request, "merchant");
      if (!p.test) throw new AppError("test_mode_only", { message: "The test-mode inbox takes a test API key (rmp_test_…): live customers' messages are never recorded." });
      const page = await testMessagesPage(deps, p.merchantId, request.query);
      return {
        items: page.items.map((m) => ({ messageId: m.seq, channel: m.channel, to: m.recipient, subject: m.subject, text: m.body, createdAt: m.created_at.toISOString() })),
        nextCursor: page.nextCursor,
      };
    },
  );
}
