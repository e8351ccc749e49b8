/**
 * The courses module's tables (column conventions: platform/db/schema.ts —
 * UUIDv7 text ids, ISO-8601 UTC text times, 0/1 booleans, JSON as text).
 * Only this module's code names them; others call what its index.ts exports.
 */

export type CourseStatus = "draft" | "published" | "archived";
/** offers: opened by the offers whose "includes" name it; members: any logged-in member. */
export type CourseAudience = "offers" | "members";
export type DripKind = "immediate" | "after_days" | "on_date";
export type QuestionKind = "single" | "multiple" | "short";

export interface CoursesTable {
  id: string;
  slug: string;
  title: string;
  subtitle: string;
  description_md: string;
  description_html: string;
  language: string;
  cover_file_id: string | null;
  status: CourseStatus;
  audience: CourseAudience;
  /** 1: a lesson opens only once the previous one is complete. */
  sequential: number;
  /** Printed on the certificate as the creator's signature line. */
  signer_name: string;
  signature_file_id: string | null;
  /** A student with no progress for this many days is stalled. */
  stall_days: number;
  /** 1: stalled students get the creator's email and the "what stopped you?" question. */
  stall_enabled: number;
  /** The creator's email subject and body ("" = the default text in the student's language). */
  stall_subject: string;
  stall_body: string;
  /** The answers offered, one per line ("" = the default choices in the course's language). */
  stall_choices: string;
  /** Bumped with every change to the structure (sections, lessons, attachments, quizzes): the outline cache's key. */
  content_version: number;
  created_at: string;
  updated_at: string;
}

export interface CourseSectionsTable {
  id: string;
  course_id: string;
  title: string;
  position: number;
  drip_kind: DripKind;
  /** after_days: days after enrolment. */
  drip_days: number | null;
  /** on_date: a local calendar date (YYYY-MM-DD), opening at midnight in the student's zone. */
  drip_date: string | null;
  created_at: string;
  updated_at: string;
}

export interface CourseLessonsTable {
  id: string;
  course_id: string;
  section_id: string;
  title: string;
  body_md: string;
  /** Sanitised HTML rendered from body_md on save. */
  body_html: string;
  /** An embed (YouTube, Vimeo, PeerTube) page URL, "" when none. */
  video_url: string;
  video_file_id: string | null;
  audio_file_id: string | null;
  free_preview: number;
  /** Counts for the certificate. */
  required: number;
  position: number;
  created_at: string;
  updated_at: string;
}

export interface CourseAttachmentsTable {
  id: string;
  lesson_id: string;
  file_id: string;
  name: string;
  mime: string;
  size: number;
  position: number;
  created_at: string;
}

export interface CourseEnrolmentsTable {
  id: string;
  course_id: string;
  member_id: string;
  enrolled_at: string;
  started_at: string | null;
  last_progress_at: string | null;
  last_lesson_id: string | null;
  completed_at: string | null;
}

export interface LessonProgressTable {
  id: string;
  course_id: string;
  lesson_id: string;
  member_id: string;
  opened_at: string;
  completed_at: string | null;
  /** Seconds into the video or audio where the student stopped. */
  media_position: number;
}

export interface CourseQuizzesTable {
  id: string;
  course_id: string;
  lesson_id: string;
  title: string;
  /** Score (0–100) needed to pass. */
  pass_pct: number;
  /** 0: unlimited attempts. */
  max_attempts: number;
  /** Must be passed for the certificate. */
  required: number;
  created_at: string;
  updated_at: string;
}

export interface QuizQuestionsTable {
  id: string;
  quiz_id: string;
  kind: QuestionKind;
  prompt: string;
  explanation: string;
  /** short: JSON array of accepted answers (compared case- and accent-insensitively). */
  accepted: string;
  position: number;
}

export interface QuizChoicesTable {
  id: string;
  question_id: string;
  label: string;
  correct: number;
  position: number;
}

export interface QuizAttemptsTable {
  id: string;
  quiz_id: string;
  course_id: string;
  member_id: string;
  attempt_no: number;
  score_pct: number;
  passed: number;
  /** JSON: question id → chosen choice ids or the typed answer. */
  answers: string;
  created_at: string;
}

export interface CourseCertificatesTable {
  id: string;
  /** The public verification code (/certificates/<code>). */
  code: string;
  course_id: string;
  member_id: string;
  /** Copied at issue time, so the certificate says what it said then. */
  student_name: string;
  course_title: string;
  signer_name: string;
  completed_at: string;
  issued_at: string;
  revoked_at: string | null;
}

export interface CourseStallsTable {
  id: string;
  course_id: string;
  enrolment_id: string;
  member_id: string;
  /** Where they stopped: the first lesson in reading order they had not completed. */
  lesson_id: string | null;
  /** The instant of their last progress (or enrolment): with enrolment_id, what makes a stall unique. */
  since: string;
  detected_at: string;
  /** The choice picked, copied as worded then ("" = only free text); null until answered. */
  reason: string | null;
  comment: string;
  answered_at: string | null;
}

export interface CourseRatingsTable {
  id: string;
  course_id: string;
  member_id: string;
  /** 1–5. */
  rating: number;
  comment: string;
  created_at: string;
  updated_at: string;
}

/** One row per (section, enrolment) whose "this section is open" email was queued. */
export interface CourseDripMailsTable {
  id: string;
  section_id: string;
  enrolment_id: string;
  member_id: string;
  queued_at: string;
}

/** Members who turned off the "a new part is open" emails (a row = off). */
export interface CourseMailOptoutsTable {
  member_id: string;
  created_at: string;
}

declare module "../../platform/db/schema.ts" {
  interface Database {
    courses: CoursesTable;
    course_sections: CourseSectionsTable;
    course_lessons: CourseLessonsTable;
    course_attachments: CourseAttachmentsTable;
    course_enrolments: CourseEnrolmentsTable;
    lesson_progress: LessonProgressTable;
    course_quizzes: CourseQuizzesTable;
    quiz_questions: QuizQuestionsTable;
    quiz_choices: QuizChoicesTable;
    quiz_attempts: QuizAttemptsTable;
    course_certificates: CourseCertificatesTable;
    course_stalls: CourseStallsTable;
    course_ratings: CourseRatingsTable;
    course_drip_mails: CourseDripMailsTable;
    course_mail_optouts: CourseMailOptoutsTable;
  }
}

/** The tables this module owns. */
export const coursesTables = [
  "courses",
  "course_sections",
  "course_lessons",
  "course_attachments",
  "course_enrolments",
  "lesson_progress",
  "course_quizzes",
  "quiz_questions",
  "quiz_choices",
  "quiz_attempts",
  "course_certificates",
  "course_stalls",
  "course_ratings",
  "course_drip_mails",
  "course_mail_optouts",
] as const;
