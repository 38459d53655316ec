/** One account of the emulated world. */
export interface User {
  readonly id: string;
  readonly username: string;
  readonly name: string;
  readonly createdAt: string;
  readonly description: string;
  readonly location: string;
  readonly verified: boolean;
  readonly protected: boolean;
  readonly followers: number;
  readonly following: number;
  readonly listed: number;
}

/** Users with lookups by id and by lowercased username. */
export class UserStore {
  readonly byId = new Map<string, number>();
  readonly byUsername = new Map<string, number>();

  constructor(readonly users: readonly User[]) {
    users.forEach((u, i) => {
      this.byId.set(u.id, i);
      this.byUsername.set(u.username.toLowerCase(), i);
    });
  }

  /** Index of the user with this username (case-insensitive), or undefined. */
  indexOfUsername(username: string): number | undefined {
    return this.byUsername.get(username.toLowerCase());
  }
}
