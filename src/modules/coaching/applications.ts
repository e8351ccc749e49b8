import { z } from "zod";
import type { Db } from "../../platform/db/index.ts";
import { anyStaff, defineOperation } from "../../platform/operations.ts";
import { AppError, invalidInput, notFound, type FieldError } from "../../platform/http/errors.ts";
import { field } from "../../platform/http/validation.ts";
import { newId } from "../../platform/ids.ts";
import { queueMail } from "../../platform/mail/index.ts";
import { getCoachingOffer } from "./offers.ts";
import { applicationDecided, applicationSent } from "./events.ts";
import type { CoachingApplicationsTable } from "./tables.ts";

/**
 * Applications before purchase. An offer's questions (short or long text,
 * single or multiple choice, scale 1–5), each choice with a weight, give a
 * fit score; the creator reads the queue and accepts (personal message, the
 * applicant may then pay and book for N days) or declines kindly (message
 * and free resources). Below the offer's threshold an application reads
 * "probably not a fit"; the decision stays the creator's.
 */

export type QuestionType = "short" | "long" | "single" | "multiple" | "scale";
export interface Question {
  label: string;
  type: QuestionType;
  required: boolean;
  choices: { label: string; weight: number }[];
  /** For a scale: points per step. */
  weight: number;
}
export type Application = CoachingApplicationsTable;

const types: QuestionType[] = ["short", "long", "single", "multiple", "scale"];

/** One question per line: `single* | Label | Choice=2; Other=0`, `scale | Label | 2`, `long* | Label`. */
export function parseQuestions(text: string): Question[] | null {
  const out: Question[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const [head, label, rest] = line.split("|").map((p) => p.trim());
    const required = !!head?.endsWith("*");
    const type = head?.replace("*", "") as QuestionType;
    if (!types.includes(type) || !label || label.length > 300) return null;
    const q: Question = { label, type, required, choices: [], weight: 0 };
    if (type === "single" || type === "multiple") {
      for (const c of (rest ?? "")
        .split(";")
        .map((x) => x.trim())
        .filter(Boolean)) {
        const m = /^(.+?)\s*=\s*(-?\d{1,3})$/.exec(c);
        if (!m) return null;
        q.choices.push({ label: m[1]!, weight: Number(m[2]) });
      }
      if (q.choices.length < 2 || q.choices.length > 12) return null;
    } else if (type === "scale") {
      q.weight = rest ? Number(rest) : 1;
      if (!Number.isInteger(q.weight) || q.weight < 0 || q.weight > 100) return null;
    } else if (rest) return null;
    out.push(q);
  }
  return out.length > 20 ? null : out;
}

export function questionsText(qs: Question[]): string {
  return qs
    .map((q) => {
      const head = `${q.type}${q.required ? "*" : ""} | ${q.label}`;
      if (q.type === "single" || q.type === "multiple")
        return `${head} | ${q.choices.map((c) => `${c.label}=${c.weight}`).join("; ")}`;
      if (q.type === "scale") return `${head} | ${q.weight}`;
      return head;
    })
    .join("\n");
}

export const questionsOf = (offer: { questions: string }): Question[] => JSON.parse(offer.questions) as Question[];

type Answer = string | number | number[];

/** Checks answers against the questions; returns them with the score, or throws a 422 naming each question at fault. */
export function scoreAnswers(
  qs: Question[],
  raw: Record<string, unknown>,
): { answers: Record<string, Answer>; score: number; max: number } {
  const errors: Record<string, FieldError> = {};
  const answers: Record<string, Answer> = {};
  let score = 0;
  let max = 0;
  qs.forEach((q, i) => {
    const name = `q${i}`;
    const v = raw[name];
    const values = (Array.isArray(v) ? v : v === undefined || v === "" ? [] : [v]).map(String);
    if (q.type === "single" || q.type === "multiple") {
      max +=
        q.type === "single"
          ? Math.max(0, ...q.choices.map((c) => c.weight))
          : q.choices.reduce((s, c) => s + Math.max(0, c.weight), 0);
      const idx = values.map(Number);
      if (
        idx.some((n) => !Number.isInteger(n) || n < 0 || n >= q.choices.length) ||
        (q.type === "single" && idx.length > 1)
      )
        return void (errors[name] = { key: "validation.invalid" });
      if (q.required && idx.length === 0) return void (errors[name] = { key: "validation.required" });
      const unique = [...new Set(idx)];
      score += unique.reduce((s, n) => s + q.choices[n]!.weight, 0);
      if (unique.length) answers[name] = q.type === "single" ? unique[0]! : unique;
    } else if (q.type === "scale") {
      max += 5 * q.weight;
      if (values.length === 0) {
        if (q.required) errors[name] = { key: "validation.required" };
        return;
      }
      const n = Number(values[0]);
      if (values.length > 1 || !Number.isInteger(n) || n < 1 || n > 5)
        return void (errors[name] = { key: "validation.invalid" });
      score += n * q.weight;
      answers[name] = n;
    } else {
      const limit = q.type === "short" ? 300 : 4000;
      const parsed = (
        q.type === "short"
          ? field.text(limit, { optional: !q.required })
          : field.longText(limit, { optional: !q.required })
      ).safeParse(values[0] ?? "");
      if (!parsed.success || values.length > 1) {
        const [key, ...params] = (parsed.error?.issues[0]?.message ?? "validation.invalid").split("|");
        const p = Object.fromEntries(params.map((x) => x.split("=")));
        return void (errors[name] = { key: key!, ...(params.length ? { params: p } : {}) });
      }
      if (parsed.data) answers[name] = parsed.data;
    }
  });
  if (Object.keys(errors).length) throw invalidInput(errors, "coaching.error.application");
  return { answers, score: Math.max(0, score), max };
}

export const fitPercent = (a: { score: number; max_score: number }) =>
  a.max_score > 0 ? Math.round((a.score * 100) / a.max_score) : 100;

export const saveQuestions = defineOperation({
  name: "coaching.save_questions",
  input: z.object({
    coachingOfferId: z.string().max(60),
    questions: field.longText(10_000, { optional: true }).default(""),
    fitThreshold: z.coerce
      .number({ error: "validation.invalid" })
      .int("validation.invalid")
      .min(0, "validation.invalid")
      .max(100, "validation.invalid"),
    acceptDays: z.coerce
      .number({ error: "validation.invalid" })
      .int("validation.invalid")
      .min(1, "validation.invalid")
      .max(90, "validation.invalid"),
  }),
  roles: anyStaff,
  async run({ trx, input, clock }) {
    const offer = await getCoachingOffer(trx, input.coachingOfferId);
    const qs = parseQuestions(input.questions);
    if (!qs)
      throw new AppError("invalid_input", 422, "coaching.error.questions", {
        questions: { key: "coaching.error.questions" },
      });
    await trx
      .updateTable("coaching_offers")
      .set({
        questions: JSON.stringify(qs),
        fit_threshold: input.fitThreshold,
        accept_days: input.acceptDays,
        updated_at: clock.nowIso(),
      })
      .where("id", "=", offer.id)
      .execute();
  },
});

export const applyForCoaching = defineOperation({
  name: "coaching.apply",
  input: z.object({ coachingOfferId: z.string().max(60), answers: z.record(z.string(), z.unknown()) }),
  authorize: (actor) => actor.kind === "member",
  async run({ trx, actor, input, clock, record }) {
    if (actor.kind !== "member") throw new AppError("unauthenticated", 401);
    const offer = await getCoachingOffer(trx, input.coachingOfferId);
    const qs = questionsOf(offer);
    if (!offer.active || qs.length === 0) throw notFound();
    const open = await trx
      .selectFrom("coaching_applications")
      .select("id")
      .where("member_id", "=", actor.memberId)
      .where("coaching_offer_id", "=", offer.id)
      .where("status", "=", "pending")
      .executeTakeFirst();
    if (open) throw new AppError("already_applied", 409, "coaching.error.already_applied");
    const { answers, score, max } = scoreAnswers(qs, input.answers);
    const at = clock.nowIso();
    const id = newId();
    await trx
      .insertInto("coaching_applications")
      .values({
        id,
        coaching_offer_id: offer.id,
        member_id: actor.memberId,
        answers: JSON.stringify(answers),
        score,
        max_score: max,
        status: "pending",
        message: "",
        resources: "",
        valid_until: null,
        decided_at: null,
        created_at: at,
        updated_at: at,
      })
      .execute();
    await record(applicationSent, { applicationId: id, title: offer.title }, { memberId: actor.memberId });
    return { id };
  },
});

export const decideApplication = defineOperation({
  name: "coaching.decide_application",
  input: z.object({
    applicationId: z.string().max(60),
    decision: z.enum(["accept", "decline"], { error: "validation.invalid" }),
    message: field.longText(4000),
    resources: field.longText(4000, { optional: true }).default(""),
  }),
  roles: anyStaff,
  async run({ trx, input, clock, record }) {
    const a = await trx
      .selectFrom("coaching_applications")
      .selectAll()
      .where("id", "=", input.applicationId)
      .executeTakeFirst();
    if (!a) throw notFound();
    if (a.status !== "pending") throw new AppError("decided", 409, "coaching.error.decided");
    const offer = await getCoachingOffer(trx, a.coaching_offer_id);
    const at = clock.nowIso();
    const accepted = input.decision === "accept";
    const validUntil = accepted ? new Date(clock.nowMs() + offer.accept_days * 86_400_000).toISOString() : null;
    await trx
      .updateTable("coaching_applications")
      .set({
        status: accepted ? "accepted" : "declined",
        message: input.message,
        resources: accepted ? "" : input.resources,
        valid_until: validUntil,
        decided_at: at,
        updated_at: at,
      })
      .where("id", "=", a.id)
      .where("status", "=", "pending")
      .execute();
    await record(applicationDecided, { applicationId: a.id, title: offer.title, accepted }, { memberId: a.member_id });
    await queueMail(
      trx,
      accepted ? "coaching.accepted" : "coaching.declined",
      { applicationId: a.id },
      `coaching:decided:${a.id}`,
    );
  },
});

/** True when the offer needs no application, or the member's was accepted and is still valid. */
export async function mayBuy(
  db: Db,
  memberId: string,
  offer: { id: string; questions: string },
  now: string,
): Promise<boolean> {
  if (questionsOf(offer).length === 0) return true;
  const a = await db
    .selectFrom("coaching_applications")
    .select("id")
    .where("member_id", "=", memberId)
    .where("coaching_offer_id", "=", offer.id)
    .where("status", "=", "accepted")
    .where("valid_until", ">", now)
    .executeTakeFirst();
  return !!a;
}

export async function memberApplication(db: Db, memberId: string, offerId: string): Promise<Application | undefined> {
  return db
    .selectFrom("coaching_applications")
    .selectAll()
    .where("member_id", "=", memberId)
    .where("coaching_offer_id", "=", offerId)
    .orderBy("created_at", "desc")
    .executeTakeFirst();
}
