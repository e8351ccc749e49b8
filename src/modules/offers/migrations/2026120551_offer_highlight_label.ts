import type { Kysely } from "kysely";

/** The highlight badge in the creator's own word ("Recommandé", "Le plus complet"); empty on a highlighted offer = « Recommandé ». */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("offers")
    .addColumn("highlight_label", "text", (c) => c.notNull().defaultTo(""))
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("offers").dropColumn("highlight_label").execute();
}
