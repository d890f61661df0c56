"""The reviewer web app (/ui): server-rendered pages for people deciding reviews."""
