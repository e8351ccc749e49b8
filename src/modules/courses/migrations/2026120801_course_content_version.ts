import type { Kysely } from "kysely";

/*
 * Courses: a content version, bumped in the transaction of every change to a
 * course's structure (sections, lessons, attachments, quizzes). Lesson pages
 * keep the course outline in memory per (course, version): the version is
 * read with the course on every request, so an edit is seen at once, on
 * every node, even when two edits share one clock instant (a fixed test clock,
 * a fast double save) — which an updated_at key would miss.
 * Immutable once merged.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("courses")
    .addColumn("content_version", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("courses").dropColumn("content_version").execute();
}
