"""moodplayer.analysis"""
