import { sql, type CompiledQuery, type Compilable } from "kysely";
import { directSqliteRead, directSqliteWrite, isPostgres, type Db } from "../../platform/db/index.ts";
import { nameStatement } from "../../platform/db/pg-named.ts";
import { newId } from "../../platform/ids.ts";
import { inTransaction, type Course, type Enrolment, type ProgressRow } from "./queries.ts";

/**
 * The statements every lesson page runs (bench/lesson-page.ts), built and
 * compiled once per dialect instead of per request, and on PostgreSQL run as
 * named statements (planned once per connection: platform/db/pg-named.ts).
 * Kysely's building and compiling cost more than running them on SQLite, and
 * PostgreSQL's parse and plan more than executing them. The platform's
 * prepared() takes one argument; these take several, replaced by position.
 * On SQLite a read runs straight on the connection when no transaction is
 * open, as prepared()'s do (Kysely's connection round cost more than the read),
 * and so does a write marked `write` (directSqliteWrite: never inside another
 * operation's transaction).
 */
function compiledOnce<R>(
  arity: number,
  build: (db: Db, ...args: string[]) => Compilable<R>,
  opts: { write?: boolean } = {},
): (db: Db, ...args: string[]) => Promise<R[]> {
  const salt = Math.random().toString(36).slice(2);
  const standIns = Array.from({ length: arity }, (_, i) => `\u0000courses-hot-${i}-${salt}`);
  const compiled = new Map<string, CompiledQuery<R>>();
  return async (db, ...args) => {
    const dialect = isPostgres(db) ? "postgres" : "sqlite";
    let q = compiled.get(dialect);
    if (!q) {
      q = build(db, ...standIns).compile();
      compiled.set(dialect, q);
      if (dialect === "postgres") nameStatement(q.sql);
    }
    const parameters = q.parameters.map((p) => {
      const i = typeof p === "string" ? standIns.indexOf(p) : -1;
      return i >= 0 ? args[i] : p;
    });
    if (dialect === "sqlite" && opts.write) {
      if (directSqliteWrite(db)?.(q.sql, parameters) !== undefined) return [];
    } else if (dialect === "sqlite") {
      const rows = directSqliteRead(db)?.(q.sql, parameters);
      if (rows) return rows as R[];
    }
    return (await db.executeQuery<R>({ ...q, parameters })).rows;
  };
}

/*
 * The course row with the student's enrolment and progress as two scalar
 * subqueries, each one JSON array (one row out, not one per progress row).
 * On SQLite a LEFT JOIN of the three tables cost several times the three
 * lookups apart (about 150 µs against 30 µs per page, measured on the
 * lesson-page bench's data: the join's nested loops, and the course's
 * columns copied into every progress row); the subqueries cost what the
 * lookups cost. Every column read is text (dates are ISO strings) or an
 * integer, so JSON carries them unchanged on both databases.
 */
const courseWithMine = compiledOnce(2, (db, slug, memberId) => {
  const pg = isPostgres(db);
  const arr = pg ? sql.raw("json_build_array") : sql.raw("json_array");
  const agg = pg ? sql.raw("json_agg") : sql.raw("json_group_array");
  return db
    .selectFrom("courses as c")
    .selectAll("c")
    .select([
      sql<
        EnrolmentCells | string | null
      >`(select ${arr}(e.id, e.enrolled_at, e.started_at, e.last_progress_at, e.last_lesson_id, e.completed_at) from course_enrolments e where e.course_id = c.id and e.member_id = ${memberId!})`.as(
        "mine_e",
      ),
      sql<
        ProgressCells[] | string | null
      >`(select ${agg}(${arr}(p.lesson_id, p.completed_at, p.media_position)) from lesson_progress p where p.member_id = ${memberId!} and p.course_id = c.id)`.as(
        "mine_p",
      ),
    ])
    .where("c.slug", "=", slug!);
});

type EnrolmentCells = [string, string, string | null, string | null, string | null, string | null];
type ProgressCells = [string, string | null, number | string | null];

/** SQLite hands JSON back as text, PostgreSQL's driver parses it. */
const cells = <T>(v: T | string | null): T | null => (typeof v === "string" ? (JSON.parse(v) as T) : v);

export interface Mine {
  enrolment: Enrolment;
  progress: ProgressRow[];
}

/**
 * A course by slug with this member's enrolment and every progress row of
 * theirs in it, in one statement: the lesson page's whole read of this
 * module's tables. `mine` is null when the member is not enrolled. Nothing
 * here decides access: the caller still asks the policy.
 */
export async function courseBySlugWithMine(
  db: Db,
  slug: string,
  memberId: string,
): Promise<{ course: Course; mine: Mine | null } | undefined> {
  if (!slug || slug.length > 80) return undefined;
  const rows = await courseWithMine(db, slug, memberId);
  const first = rows[0];
  if (!first) return undefined;
  const { mine_e, mine_p, ...course } = first;
  const e = cells(mine_e);
  if (!e) return { course, mine: null };
  const enrolment: Enrolment = {
    id: e[0],
    course_id: course.id,
    member_id: memberId,
    enrolled_at: e[1],
    started_at: e[2] ?? null,
    last_progress_at: e[3] ?? null,
    last_lesson_id: e[4] ?? null,
    completed_at: e[5] ?? null,
  };
  const progress: ProgressRow[] = (cells(mine_p) ?? []).map((p) => ({
    lesson_id: p[0],
    completed_at: p[1] ?? null,
    media_position: Number(p[2] ?? 0),
  }));
  return { course, mine: { enrolment, progress } };
}

/*
 * A cursor is not an event: on PostgreSQL its write, when it is a statement
 * of its own, commits without waiting for the WAL to reach the disk
 * (synchronous_commit off for that one transaction, set by the statement
 * itself: no extra round trip). A server crash may lose the last fraction of
 * a second of cursor moves, never corrupt them; every other write keeps its
 * durability. Inside a caller's transaction the plain statement runs (the
 * setting would otherwise relax the caller's commit too).
 */
const relaxedCommit = sql<boolean>`set_config('synchronous_commit', 'off', true) = 'off'`;

const cursorQuery = (relaxed: boolean) =>
  compiledOnce(
    3,
    (db, lessonId, at, enrolmentId) => {
      const q = db
        .updateTable("course_enrolments")
        .set((eb) => ({ last_lesson_id: lessonId!, started_at: eb.fn.coalesce("started_at", eb.val(at!)) }))
        .where("id", "=", enrolmentId!);
      return relaxed ? q.where(relaxedCommit) : q;
    },
    { write: true },
  );
const moveCursorQuery = cursorQuery(false);
const moveCursorRelaxed = cursorQuery(true);

/** "Continue where I left off" points at this lesson (the course started now if not before): one statement. */
export async function moveCursor(db: Db, enrolment: Enrolment, lessonId: string, at: string): Promise<void> {
  const relaxed = isPostgres(db) && !db.isTransaction;
  await (relaxed ? moveCursorRelaxed : moveCursorQuery)(db, lessonId, at, enrolment.id);
}

const progressRowQuery = compiledOnce(5, (db, id, courseId, lessonId, memberId, at) =>
  db
    .insertInto("lesson_progress")
    .values({
      id: id!,
      course_id: courseId!,
      lesson_id: lessonId!,
      member_id: memberId!,
      opened_at: at!,
      completed_at: null,
      media_position: 0,
    })
    .onConflict((oc) => oc.columns(["member_id", "lesson_id"]).doNothing()),
);

/** The student's progress row for the lesson, created at its first opening (kept as it is afterwards). */
export async function ensureProgressRow(db: Db, courseId: string, lessonId: string, memberId: string, at: string) {
  await progressRowQuery(db, newId(), courseId, lessonId, memberId, at);
}

/*
 * The first opening of a lesson: its progress row and the cursor together.
 * PostgreSQL does both in one statement (a data-modifying WITH is atomic: no
 * BEGIN and COMMIT round trips), committed as the cursor is (above: the row
 * only says the lesson was opened, and the next opening writes it again if a
 * crash lost it); SQLite, in process, in a transaction.
 */
const openFirstQuery = compiledOnce(6, (db, id, courseId, lessonId, memberId, at, enrolmentId) =>
  db
    .with("opened", (w) =>
      w
        .insertInto("lesson_progress")
        .values({
          id: id!,
          course_id: courseId!,
          lesson_id: lessonId!,
          member_id: memberId!,
          opened_at: at!,
          completed_at: null,
          media_position: 0,
        })
        .onConflict((oc) => oc.columns(["member_id", "lesson_id"]).doNothing())
        .returning("id"),
    )
    .updateTable("course_enrolments")
    .set((eb) => ({ last_lesson_id: lessonId!, started_at: eb.fn.coalesce("started_at", eb.val(at!)) }))
    .where("id", "=", enrolmentId!)
    .where(relaxedCommit),
);

export async function openFirstTime(db: Db, enrolment: Enrolment, lessonId: string, at: string): Promise<void> {
  if (isPostgres(db) && !db.isTransaction) {
    await openFirstQuery(db, newId(), enrolment.course_id, lessonId, enrolment.member_id, at, enrolment.id);
    return;
  }
  await inTransaction(db, async (trx) => {
    await ensureProgressRow(trx, enrolment.course_id, lessonId, enrolment.member_id, at);
    await moveCursor(trx, enrolment, lessonId, at);
  });
}
