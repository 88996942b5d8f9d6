export interface UsersContext { userId: string | null }
