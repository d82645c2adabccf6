-- Reserved; filled by the change it is named after.
SELECT 1;
