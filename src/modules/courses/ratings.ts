import type { Db } from "../../platform/db/index.ts";
import { AppError } from "../../platform/http/errors.ts";
import { newId } from "../../platform/ids.ts";
import { recordRated } from "./events.ts";
import { inTransaction, type Enrolment } from "./queries.ts";

/**
 * The end-of-course survey: one rating (1–5) and a comment per student and
 * course, asked once they have finished; answering again replaces it (one
 * row, unique on course and member), each answer recorded as an event.
 */

export async function rateCourse(
  db: Db,
  enrolment: Enrolment,
  input: { rating: number; comment: string },
  at: string,
): Promise<void> {
  if (!enrolment.completed_at) throw new AppError("conflict", 409, "courses.survey.not_finished");
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto("course_ratings")
      .values({
        id: newId(),
        course_id: enrolment.course_id,
        member_id: enrolment.member_id,
        rating: input.rating,
        comment: input.comment,
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) =>
        oc
          .columns(["course_id", "member_id"])
          .doUpdateSet({ rating: input.rating, comment: input.comment, updated_at: at }),
      )
      .execute();
    await recordRated(trx, enrolment.member_id, enrolment.course_id, input, at);
  });
}

export async function ratingOf(db: Db, courseId: string, memberId: string) {
  return db
    .selectFrom("course_ratings")
    .select(["rating", "comment"])
    .where("course_id", "=", courseId)
    .where("member_id", "=", memberId)
    .executeTakeFirst();
}

export interface RatingsSummary {
  count: number;
  average: number | null;
  recent: { rating: number; comment: string }[];
}

export async function courseRatings(db: Db, courseId: string): Promise<RatingsSummary> {
  const [agg, recent] = await Promise.all([
    db
      .selectFrom("course_ratings")
      .select((eb) => [eb.fn.countAll<number | string>().as("n"), eb.fn.avg<number | string>("rating").as("avg")])
      .where("course_id", "=", courseId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("course_ratings")
      .select(["rating", "comment"])
      .where("course_id", "=", courseId)
      .orderBy("updated_at", "desc")
      .limit(50)
      .execute(),
  ]);
  const count = Number(agg.n);
  return { count, average: count ? Math.round(Number(agg.avg) * 10) / 10 : null, recent };
}
