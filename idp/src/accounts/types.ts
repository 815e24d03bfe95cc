export interface Account {
  id: string;
  email: string;
  emailVerifiedAt: number | null;
  name: string;
  locale: string;
  timezone: string;
  createdAt: number;
  updatedAt: number;
}

export type TokenPurpose = 'verify_email' | 'reset_password' | 'change_email' | 'lockdown';
