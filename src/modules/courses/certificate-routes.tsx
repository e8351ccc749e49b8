import type { Hono } from "hono";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError } from "../../platform/http/errors.ts";
import { formatDate, t as translate, toLocale } from "../../platform/i18n/index.ts";
import { findFile, readStoredFile } from "../../platform/storage/index.ts";
import { page } from "../../platform/views/layout.tsx";
import { getMember } from "../members/index.ts";
import { certificateByCode, type Certificate } from "./certificates.ts";
import { certificatePdf } from "./certificate-pdf.ts";
import { coursesHead } from "./public.tsx";

/**
 * /certificates/<code> confirms a certificate (name, course, date) and says
 * nothing else; the student downloads the PDF from their course home.
 */

export async function certificatePdfFor(c: AppContext, cert: Certificate) {
  const { db, config } = c.var.services;
  const member = await getMember(db, cert.member_id);
  const locale = toLocale(member?.locale ?? c.var.locale);
  const zone = member?.timeZone ?? c.var.site.timeZone;
  const course = await db
    .selectFrom("courses")
    .select(["signature_file_id"])
    .where("id", "=", cert.course_id)
    .executeTakeFirst();
  const sigFile = course?.signature_file_id ? await findFile(db, course.signature_file_id) : undefined;
  const verifyUrl = `${config.publicUrl}/certificates/${cert.code}`;
  const bytes = await certificatePdf({
    siteName: c.var.site.name,
    heading: translate(locale, "courses.certificate.heading"),
    intro: translate(locale, "courses.certificate.intro"),
    studentName: cert.student_name,
    completed: translate(locale, "courses.certificate.completed"),
    courseTitle: cert.course_title,
    date: translate(locale, "courses.certificate.date", { date: formatDate(locale, cert.completed_at, zone) }),
    signerName: cert.signer_name,
    verification: translate(locale, "courses.certificate.verification", { code: cert.code, url: verifyUrl }),
    signature:
      sigFile && (sigFile.mime === "image/png" || sigFile.mime === "image/jpeg")
        ? { bytes: await readStoredFile(c.var.services.storage, sigFile), mime: sigFile.mime }
        : null,
  });
  return c.body(new Uint8Array(bytes), 200, {
    "Content-Type": "application/pdf",
    "Content-Disposition": `attachment; filename="certificate-${cert.code}.pdf"`,
    "Cache-Control": "private, no-store",
  });
}

export function certificateRoutes(app: Hono<AppEnv>): void {
  app.get("/certificates/:code", async (c) => {
    const t = tr(c);
    const cert = await certificateByCode(c.var.services.db, c.req.param("code"));
    if (!cert) throw new AppError("not_found", 404, "courses.certificate.unknown");
    c.header("Cache-Control", "no-store");
    return page(
      c,
      { title: t("courses.certificate.verify_title"), noindex: true, head: coursesHead() },
      <div class="narrow certificate-verify">
        <h1>{t("courses.certificate.verify_title")}</h1>
        {cert.revoked_at ? (
          <p class="notice warn" role="status">
            {t("courses.certificate.revoked")}
          </p>
        ) : (
          <p class="notice" role="status">
            ✓ {t("courses.certificate.valid")}
          </p>
        )}
        <dl class="certificate-facts">
          <dt>{t("courses.certificate.student")}</dt>
          <dd>{cert.student_name}</dd>
          <dt>{t("courses.certificate.course")}</dt>
          <dd>{cert.course_title}</dd>
          <dt>{t("courses.certificate.completed_on")}</dt>
          <dd>{formatDate(c.var.locale, cert.completed_at, c.var.site.timeZone)}</dd>
          <dt>{t("courses.certificate.code")}</dt>
          <dd>
            <code>{cert.code}</code>
          </dd>
        </dl>
      </div>,
    );
  });
}
