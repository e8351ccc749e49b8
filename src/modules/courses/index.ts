import { defineModule } from "../../platform/module.ts";
import { registerNavLink } from "../../platform/views/layout.tsx";
import { registerIncludable } from "../offers/index.ts";
import { accountRoutes, registerAccountCourses, registerCoursesExport } from "./account.tsx";
import { adminRoutes } from "./admin.tsx";
import { certificateRoutes } from "./certificate-routes.tsx";
import { coursesMessages } from "./i18n.ts";
import { coursesLoopMessages } from "./i18n-loops.ts";
import { coverMessages } from "./cover-i18n.ts";
import { coverRoutes } from "./cover.tsx";
import { coursesJobs } from "./jobs.ts";
import { stallRoutes } from "./stall-routes.tsx";
import { learnRoutes } from "./learn.tsx";
import { mediaRoutes } from "./media.ts";
import { quizRoutes } from "./quiz-routes.tsx";
import { publicRoutes } from "./public.tsx";
import { listCourses } from "./queries.ts";
import { coursesTables } from "./tables.ts";
import { registerCoursesHomeSection } from "./home-section.tsx";

export { coursesTables } from "./tables.ts";
export { courseResource, lessonResource, findCourseBySlug, listCourses } from "./queries.ts";
export { unlockAt, isUnlocked, type DripRule } from "./drip.ts";
export { seedCoursesDemo, addDemoStudents, type CoursesDemoResult } from "./demo.ts";
export { courseFunnel, type Funnel } from "./funnel.ts";
export { outline } from "./queries.ts";

/** Courses: sections and lessons, drip, progress, quizzes and certificates (see README.md in this folder). */
export const coursesModule = defineModule({
  name: "courses",
  tables: coursesTables,
  messages: {
    fr: { ...coursesMessages.fr, ...coursesLoopMessages.fr, ...coverMessages.fr },
    en: { ...coursesMessages.en, ...coursesLoopMessages.en, ...coverMessages.en },
  },
  jobs: coursesJobs,
  routes(app) {
    registerNavLink({ href: "/courses", labelKey: "courses.nav.public", order: 15 });
    registerCoursesHomeSection();
    registerIncludable({
      kind: "course",
      labelKey: "courses.includable.kind",
      allLabelKey: "courses.includable.all",
      order: 20,
      list: async (db) => (await listCourses(db)).map((c) => ({ id: c.id, title: c.title })),
    });
    registerAccountCourses();
    registerCoursesExport();
    accountRoutes(app);
    publicRoutes(app);
    certificateRoutes(app);
    learnRoutes(app);
    mediaRoutes(app);
    coverRoutes(app);
    quizRoutes(app);
    stallRoutes(app);
    adminRoutes(app);
  },
});
