import { MemberDashboardDocument } from '@fitnexa/client';
import { useQuery } from '@apollo/client/react';
import { useState } from 'react';

const DAY = 86_400_000;
const when = (iso: string) => new Date(iso).toLocaleString();

export function DashboardPage({ onOpenChat }: { onOpenChat(squadId: string): void }) {
  // The next two weeks of booked classes; computed once so the query's variables stay the same.
  const [range] = useState(() => ({
    from: new Date().toISOString(),
    to: new Date(Date.now() + 14 * DAY).toISOString(),
  }));
  const { data, error, loading } = useQuery(MemberDashboardDocument, {
    variables: range,
    fetchPolicy: 'cache-and-network',
  });

  if (error)
    return (
      <p role="alert" data-testid="dashboard-error">
        {error.message}
      </p>
    );
  if (!data) return <p data-testid="dashboard-loading">{loading ? 'Loading…' : ''}</p>;
  const { me } = data;
  return (
    <section data-testid="dashboard">
      <h2 data-testid="member-name">Hello, {me.displayName}</h2>

      <h3>Memberships</h3>
      <ul>
        {me.memberships.map((membership) => (
          <li key={membership.id} data-testid="membership">
            {membership.gym.name} — {membership.plan.name} ({membership.status.toLowerCase()}, until{' '}
            {new Date(membership.endsAt).toLocaleDateString()})
          </li>
        ))}
      </ul>

      <h3>Next classes</h3>
      <ul>
        {me.bookedClasses.map(({ id, status, class: gymClass }) => (
          <li key={id} data-testid="booked-class">
            {gymClass.title} at {gymClass.gym.name}, {when(gymClass.startsAt)} with{' '}
            {gymClass.coach.displayName} ({status.toLowerCase()})
          </li>
        ))}
      </ul>

      <h3>Last workouts</h3>
      <ul>
        {me.workoutSessions.edges.map(({ node: session }) => (
          <li key={session.id} data-testid="workout">
            {when(session.startedAt)}
            {session.gym && ` at ${session.gym.name}`}: {session.sets.length} sets
            {session.sets[0] && ` (${session.sets[0].exercise.name} first)`}
          </li>
        ))}
      </ul>

      <h3>Personal records</h3>
      <ul>
        {me.personalRecords.map((record) => (
          <li key={record.id} data-testid="personal-record">
            {record.exercise.name}: {record.kind.toLowerCase().replaceAll('_', ' ')} {record.value}
          </li>
        ))}
      </ul>

      <h3>Squads</h3>
      <ul>
        {me.squads.map((squad) => (
          <li key={squad.id} data-testid="squad">
            {squad.name}{' '}
            <button
              type="button"
              data-testid="open-squad-chat"
              onClick={() => onOpenChat(squad.id)}
            >
              Open chat
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
