import type { Db } from "../../platform/db/index.ts";
import { transaction } from "../../platform/db/index.ts";
import { newId } from "../../platform/ids.ts";
import { oldestActiveMembers } from "../members/index.ts";
import { createOffer, getOfferBySlug } from "../offers/index.ts";
import { computeSlots, localDate } from "./availability.ts";
import { cellsOf, tryClaimDay } from "./claims.ts";
import { parseQuestions, scoreAnswers } from "./applications.ts";
import { loadRules, saveSettings } from "./settings.ts";
import { meetingLink } from "./video.ts";

/**
 * The demo creator's coaching, in her own words: a free discovery call, a
 * five-session package by application, weekly hours with holidays, past
 * sessions with their summaries, applications waiting with their scores and
 * a few sessions coming up. Idempotent: a second run adds nothing.
 */
export interface CoachingDemoResult {
  offers: number;
  bookings: number;
  applications: number;
}

const questions = [
  "single* | Où en est votre pratique de la céramique ? | Je découvre=0; Je tourne depuis un an ou deux=2; J’ai déjà un atelier=3",
  "multiple* | Qu’attendez-vous de l’accompagnement ? | Un regard sur mes pièces=2; Fixer mes prix et vendre=2; Une méthode toute faite=-1",
  "scale* | Combien de temps pouvez-vous y consacrer chaque semaine ? (1 : très peu, 5 : beaucoup) | 1",
  "long* | Racontez-moi votre projet en quelques lignes",
].join("\n");

const summaries = [
  "Nous avons repris la cuisson de vos bols : l’émail coule parce que la couche est trop épaisse au pied. Pour la prochaine fois : trois bols tests, émail trempé deux secondes au lieu de quatre, et des photos avant cuisson.",
  "Vos prix ne couvrent pas le temps de séchage. Exercice : chronométrez une série complète (tournage, tournassage, émaillage) et recalculez avec le tableau que je vous ai envoyé.",
  "Belle progression sur le centrage. À faire : dix cylindres de 500 g, sans chercher la forme, juste la régularité des parois.",
  "On a posé votre calendrier de marchés pour le printemps. Choisissez deux dates maximum et préparez une liste de 30 pièces.",
];

export async function seedCoachingDemo(db: Db, opts: { now?: Date } = {}): Promise<CoachingDemoResult> {
  const result: CoachingDemoResult = { offers: 0, bookings: 0, applications: 0 };
  if (await db.selectFrom("coaching_offers").select("id").where("slug", "=", "appel-decouverte").executeTakeFirst())
    return result;
  const now = (opts.now ?? new Date()).getTime();
  const at = new Date(now).toISOString();
  const members = await oldestActiveMembers(db, 12);
  const sold =
    (await getOfferBySlug(db, "parcours-atelier")) ??
    (await createOffer(
      db,
      {
        slug: "parcours-atelier",
        kind: "product",
        name: "Parcours atelier — 5 séances",
        summary: "Cinq séances individuelles en visio, sur candidature.",
        status: "published",
      },
      [{ kind: "one_off", amount: 45000, currency: "EUR" }],
    ));
  await transaction(db, async (trx) => {
    await saveSettings(
      trx,
      {
        time_zone: "Europe/Paris",
        buffer_before_min: 0,
        buffer_after_min: 15,
        min_notice_min: 24 * 60,
        window_days: 60,
        max_per_day: 3,
        cancel_hours: 48,
        for_whom:
          "Vous tournez depuis quelque temps, vous avez envie d’en faire plus qu’un loisir, et vous voulez un regard honnête sur vos pièces, vos cuissons et vos prix.",
        not_for_whom:
          "Si vous cherchez un cours de tournage pour débuter, mes ateliers collectifs vous conviendront mieux. Et je n’ai pas de recette miracle pour vivre de la céramique en trois mois.",
      },
      at,
    );
    const hours = [
      [2, 570, 750],
      [2, 840, 1020],
      [3, 570, 720],
      [4, 570, 750],
      [4, 840, 1020],
    ];
    await trx
      .insertInto("coaching_weekly_hours")
      .values(hours.map(([weekday, s, e]) => ({ id: newId(), weekday: weekday!, start_min: s!, end_min: e! })))
      .execute();
    const year = new Date(now).getUTCFullYear();
    await trx
      .insertInto("coaching_overrides")
      .values([
        { id: newId(), date: `${year}-12-24`, start_min: null, end_min: null, note: "" },
        { id: newId(), date: `${year}-12-31`, start_min: null, end_min: null, note: "" },
        { id: newId(), date: `${year + 1}-01-02`, start_min: 600, end_min: 720, note: "" },
      ])
      .execute();
    const discovery = {
      id: newId(),
      slug: "appel-decouverte",
      title: "Appel découverte",
      description: "Trente minutes pour faire connaissance et voir si je peux vous aider. Gratuit, sans engagement.",
      kind: "single" as const,
      duration_min: 30,
      sessions: 1,
      validity_days: 0,
      offer_id: null,
      questions: "[]",
      fit_threshold: 0,
      accept_days: 7,
      active: 1,
      created_at: at,
      updated_at: at,
    };
    const pack = {
      id: newId(),
      slug: "parcours-5-seances",
      title: "Parcours atelier — 5 séances",
      description:
        "Cinq séances d’une heure, espacées à votre rythme sur six mois : vos pièces, vos cuissons, vos prix, vos ventes.",
      kind: "package" as const,
      duration_min: 60,
      sessions: 5,
      validity_days: 180,
      offer_id: sold.id,
      questions: JSON.stringify(parseQuestions(questions)),
      fit_threshold: 45,
      accept_days: 10,
      active: 1,
      created_at: at,
      updated_at: at,
    };
    await trx.insertInto("coaching_offers").values([discovery, pack]).execute();
    result.offers = 2;

    const rules = await loadRules(trx);
    const insertBooking = async (
      memberId: string,
      offer: typeof pack | typeof discovery,
      start: number,
      summary: string,
      status: "confirmed" | "no_show",
    ) => {
      const id = newId();
      const startsAt = new Date(start).toISOString();
      const endsAt = new Date(start + offer.duration_min * 60_000).toISOString();
      let creditId: string | null = null;
      if (offer.offer_id) {
        creditId = newId();
        await trx
          .insertInto("coaching_credits")
          .values({
            id: creditId,
            member_id: memberId,
            coaching_offer_id: offer.id,
            source: `demo:${memberId}`,
            seq: result.bookings + 1,
            expires_at: new Date(now + 150 * 86_400_000).toISOString(),
            booking_id: id,
            revoked_at: null,
            created_at: at,
            updated_at: at,
          })
          .execute();
      }
      await trx
        .insertInto("coaching_bookings")
        .values({
          id,
          coaching_offer_id: offer.id,
          member_id: memberId,
          starts_at: startsAt,
          ends_at: endsAt,
          status,
          hold_expires_at: null,
          order_id: null,
          credit_id: creditId,
          sequence: 0,
          video_url: meetingLink({ video_mode: "jitsi", jitsi_base_url: "https://meet.jit.si", fixed_link: "" }),
          client_time_zone: "Europe/Paris",
          locale: "fr",
          private_notes: summary
            ? "Très motivée, manque de confiance sur les prix. Reparler de la galerie de Nantes."
            : "",
          shared_summary: summary,
          reminder_24_at: start < now ? startsAt : null,
          reminder_1_at: start < now ? startsAt : null,
          cancelled_at: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      if (start > now) {
        await trx
          .insertInto("coaching_slot_claims")
          .values(cellsOf(rules, startsAt, endsAt).map((cell) => ({ cell, booking_id: id })))
          .execute();
        await tryClaimDay(trx, id, localDate(start, rules.timeZone), rules.maxPerDay);
      }
      result.bookings++;
    };
    // Past sessions with their summaries (the same weekday hours, weeks ago).
    for (let i = 0; i < 4 && i < members.length; i++) {
      const start = Math.floor((now - (7 * (i + 1) + 1) * 86_400_000) / 3_600_000) * 3_600_000;
      await insertBooking(members[i]!.id, pack, start, summaries[i]!, i === 3 ? "no_show" : "confirmed");
    }
    // A few sessions coming up, on real free slots.
    const upcoming = computeSlots(rules, { durationMin: 60, now, busy: [] });
    const picks = [upcoming[2], upcoming[14], upcoming[30]].filter((s): s is string => !!s);
    for (let i = 0; i < picks.length && 4 + i < members.length; i++)
      await insertBooking(members[4 + i]!.id, i === 0 ? discovery : pack, Date.parse(picks[i]!), "", "confirmed");
    // Applications waiting, with their scores.
    const qs = parseQuestions(questions)!;
    const answerSets = [
      {
        q0: "2",
        q1: ["0", "1"],
        q2: "4",
        q3: "J’ai un petit atelier dans mon garage et je vends sur deux marchés. Je voudrais passer à une vraie collection.",
      },
      {
        q0: "1",
        q1: ["1"],
        q2: "3",
        q3: "Je tourne depuis deux ans, on me demande mes bols, mais je ne sais pas quel prix demander.",
      },
      { q0: "0", q1: ["2"], q2: "1", q3: "Je voudrais vivre de la céramique rapidement." },
    ];
    for (let i = 0; i < answerSets.length && 7 + i < members.length; i++) {
      const { answers, score, max } = scoreAnswers(qs, answerSets[i]!);
      await trx
        .insertInto("coaching_applications")
        .values({
          id: newId(),
          coaching_offer_id: pack.id,
          member_id: members[7 + i]!.id,
          answers: JSON.stringify(answers),
          score,
          max_score: max,
          status: "pending",
          message: "",
          resources: "",
          valid_until: null,
          decided_at: null,
          created_at: new Date(now - (i + 1) * 86_400_000).toISOString(),
          updated_at: at,
        })
        .execute();
      result.applications++;
    }
  });
  return result;
}
