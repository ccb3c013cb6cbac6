/** The attendance feature's REST routes, composed from its services (attendance.module.ts `services`). */
import type { Attendance } from '../attendance/attendance.module.ts';
import { allowanceRoutes } from './allowance.routes.ts';
import { attendanceRoutes } from './attendance.routes.ts';
import { calendarRoutes } from './calendar.routes.ts';
import { disciplineRoutes, profileRoutes } from './discipline.routes.ts';
import { leaveRoutes } from './leave.routes.ts';
import { peopleRoutes } from './people.routes.ts';
import { profileAssignmentRoutes } from './profile-assignment.routes.ts';
import type { RouteModule } from './router.ts';

export function attendanceModuleRoutes(s: Attendance['services']): RouteModule[] {
  return [
    attendanceRoutes({ attendance: s.attendance }),
    calendarRoutes({ calendar: s.calendar }),
    leaveRoutes({ leave: s.leave }),
    allowanceRoutes({ allowance: s.allowance }),
    disciplineRoutes({ discipline: s.discipline }),
    // Before profileRoutes: its /api/policy-profiles/:id/:version would take the assignments' paths.
    profileAssignmentRoutes({ assignments: s.profileAssignments }),
    profileRoutes({ profiles: s.profiles }),
    peopleRoutes({ people: s.people }),
  ];
}
