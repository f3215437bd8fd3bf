/** A user of identity's, known here by id only. */
export interface UserReference {
  id: string;
}

/** A squad of squad's, known here by id only. */
export interface SquadReference {
  id: string;
}
